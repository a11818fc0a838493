import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { sleep } from './chat-client.js';
import { buildServer, freePort, startServerProcess, type ServerProcess } from './server-process.js';
import {
  createMysqlDatabase,
  MYSQL_URL,
  mysqlReachable,
  type TestDatabase,
} from './test-database.js';

/**
 * A Redis server of the test's own, on a free port (so a test may stop and restart it without
 * touching anyone else's). Nothing is kept on disk: a restart starts empty, like a failover.
 */
export interface TestRedis {
  url: string;
  port: number;
  /** Stops it (SIGKILL: an outage, not a clean shutdown). */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
}

export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    await waitForPort(port, 10_000);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    async stop() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    },
  };
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connectTcp(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Several server processes on one MariaDB database and one Redis: what a deployment runs. */
export interface TestCluster {
  instances: ServerProcess[];
  redis: TestRedis;
  database: TestDatabase;
  /** The environment every instance got (to start one more alike). */
  env: Record<string, string>;
  /** Registers a user (through instance 0). */
  createUser(username: string, password: string): Promise<void>;
  /** One more instance on the same database, Redis and secret. */
  addInstance(extraEnv?: Record<string, string>): Promise<ServerProcess>;
  close(): Promise<void>;
}

let built = false;

/**
 * Null outside CI when no MariaDB answers (with a warning); in CI MariaDB and redis-server are
 * required, so there the cluster tests always run.
 */
export async function startCluster(
  count: number,
  extraEnv: Record<string, string> = {},
): Promise<TestCluster | null> {
  if (!(await mysqlReachable())) {
    if (process.env.CI) throw new Error(`cluster tests need MariaDB at ${MYSQL_URL} (CI)`);
    console.warn(`skipping cluster tests: no MariaDB at ${MYSQL_URL}`);
    return null;
  }
  if (!built) buildServer();
  built = true;
  const database = await createMysqlDatabase();
  const redis = await startRedis();
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-cluster-'));
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    // Every instance must verify the others' tokens.
    JWT_SECRET: randomBytes(32).toString('hex'),
    DATA_DIR: dataDir,
    ...extraEnv,
  };
  const instances: ServerProcess[] = [];
  // One at a time: the first runs the migrations.
  for (let i = 0; i < count; i++) instances.push(await startServerProcess(env));
  return {
    instances,
    redis,
    database,
    env,
    async createUser(username, password) {
      await request(instances[0].url).post('/register').send({ username, password }).expect(201);
    },
    async addInstance(more = {}) {
      const instance = await startServerProcess({ ...env, ...more });
      instances.push(instance);
      return instance;
    },
    async close() {
      await Promise.all(instances.map((instance) => stopProcess(instance)));
      await redis.stop();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** SIGTERM, then SIGKILL if it has not gone within 15 s. */
export async function stopProcess(instance: ServerProcess): Promise<void> {
  if (instance.child.exitCode !== null || instance.child.signalCode !== null) return;
  instance.child.kill('SIGTERM');
  const timer = setTimeout(() => instance.child.kill('SIGKILL'), 15_000);
  await instance.exited;
  clearTimeout(timer);
}
