import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../src/app.js';
import { type AppConfig, loadConfig } from '../../src/app-config.js';
import { UsersService } from '../../src/users/users.service.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/** Suites that are not about limits must not trip them; test/limits.e2e-spec.ts sets its own. */
export const NO_RATE_LIMITS = {
  LOGIN_RATE_PER_IP: '100000',
  LOGIN_FAILURES_PER_USER: '100000',
  SOCKET_RATE_PER_SEC: '100000',
  SOCKET_RATE_CAPACITY: '100000',
  MAX_SOCKETS_PER_IP: '100000',
  MAX_SOCKETS_PER_USER: '100000',
};

export interface TestApp {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  app: NestExpressApplication;
  config: AppConfig;
  database: TestDatabase;
  createUser(username: string, password: string): Promise<void>;
  /** Stops the app and, unless the database was passed in, drops it. */
  close(): Promise<void>;
  /** Stops the app and starts a new one on the same database and data directory. */
  restart(): Promise<TestApp>;
}

export interface StartOptions {
  /** Reuse a database (to restart on it, or to prepare it before the start). */
  database?: TestDatabase;
  /** Reuse a data directory (it holds the generated JWT secret). */
  dataDir?: string;
}

/** The whole app on port 0 with a real database of its own. */
export async function startTestApp(
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'chat-data-'));
  // The app's own environment, never written into process.env.
  const appEnv = {
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    PRESENCE_FLUSH_MS: '20',
    ...NO_RATE_LIMITS,
    ...env,
  };
  const config = loadConfig(appEnv);
  const app = await createApp(appEnv, { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const users = app.get(UsersService);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    app,
    config,
    database,
    async createUser(username, password) {
      await users.create(username, password);
    },
    async close() {
      await app.close();
      if (!options.database) await database.drop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
    async restart() {
      await app.close();
      const again = await startTestApp(env, { database, dataDir });
      // The new app takes over dropping what this one created.
      return {
        ...again,
        close: async () => {
          await again.app.close();
          if (!options.database) await database.drop();
          if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  };
}
