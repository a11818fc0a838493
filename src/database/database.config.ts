import { join, resolve } from 'node:path';
import { dataDirectory } from '../config/environment.js';
import { featureConfig } from '../config/feature-config.js';

export type DatabaseConfig =
  { type: 'sqlite'; file: string } | { type: 'mysql'; url: string; poolSize: number };

/** Which database (DATABASE_URL, DATA_DIR, DB_POOL_SIZE) and how long to wait for it. */
export const databaseConfig = featureConfig('database', (env) => ({
  database: parseDatabaseUrl(env.DATABASE_URL, dataDirectory(env), env.DB_POOL_SIZE ?? 10),
  /** Longest wait for one database query or connection before answering "unavailable". */
  dbTimeoutMs: env.DB_TIMEOUT_MS ?? 1500,
}));

export function parseDatabaseUrl(
  url: string | undefined,
  dataDir: string,
  poolSize: number,
): DatabaseConfig {
  if (!url) return { type: 'sqlite', file: join(dataDir, 'chat.sqlite') };
  if (url.startsWith('sqlite:'))
    return { type: 'sqlite', file: resolve(url.slice('sqlite:'.length)) };
  return { type: 'mysql', url: url.replace(/^mariadb:/, 'mysql:'), poolSize };
}
