import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MIGRATIONS } from '../src/database/data-source-options.js';
import { createProxiedMysql, type ProxiedMysql } from './support/proxied-mysql.js';
import { buildServer } from './support/server-process.js';

const ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const NAMES = MIGRATIONS.map((migration) => migration.name);

/** `npm run typeorm -- ARGS` (without its build step: beforeAll builds once). */
async function typeorm(env: Record<string, string>, ...args: string[]): Promise<string> {
  const { NODE_OPTIONS: _ignored, ...inherited } = process.env;
  const { stdout } = await promisify(execFile)(
    join(ROOT, 'node_modules/.bin/typeorm'),
    ['-d', 'dist/ormconfig.js', ...args],
    { cwd: ROOT, env: { ...inherited, ...env }, timeout: 120_000 },
  );
  return stdout;
}

/** The TypeORM CLI reports which migrations ran and which are pending. */
async function showsAndRunsMigrations(env: Record<string, string>): Promise<void> {
  const pending = await typeorm(env, 'migration:show');
  for (const name of NAMES) expect(pending).toContain(`[ ] ${name}`);
  expect(pending).not.toContain('[X]');

  const ran = await typeorm(env, 'migration:run');
  for (const name of NAMES) {
    expect(ran).toContain(`Migration ${name} has been executed successfully.`);
  }

  const shown = await typeorm(env, 'migration:show');
  for (const name of NAMES) expect(shown).toMatch(new RegExp(`\\[X\\] \\d+ ${name}`));
  expect(shown).not.toContain('[ ]');

  expect(await typeorm(env, 'migration:run')).toContain('No migrations are pending');
}

describe('npm run typeorm -- migration:show / migration:run', () => {
  let dataDir: string;
  let mysqlDb: ProxiedMysql | null = null;
  beforeAll(async () => {
    buildServer();
    dataDir = mkdtempSync(join(tmpdir(), 'chat-migrations-'));
    mysqlDb = await createProxiedMysql('the migration CLI test on MariaDB');
  }, 180_000);
  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await mysqlDb?.drop();
  });

  it('shows pending and executed migrations on a fresh SQLite file', async () => {
    await showsAndRunsMigrations({
      DATA_DIR: dataDir,
      DATABASE_URL: `sqlite:${join(dataDir, 'chat.sqlite')}`,
    });
  }, 480_000);

  it('shows pending and executed migrations on a fresh MariaDB database', async () => {
    if (!mysqlDb) return;
    await showsAndRunsMigrations({ DATA_DIR: dataDir, DATABASE_URL: mysqlDb.database.url });
  }, 480_000);
});
