import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/app-config.js';
import { dataSourceOptions, MIGRATIONS } from '../../src/database/data-source-options.js';
import type { TestDatabase } from './test-database.js';

/**
 * Brings a test database to the schema as it was just before `migration`, so that a test can
 * write rows the old way and then start the app, which runs `migration` and those after it.
 */
export async function migrateUpTo(
  db: TestDatabase,
  dataDir: string,
  migration: (typeof MIGRATIONS)[number],
): Promise<void> {
  const index = MIGRATIONS.indexOf(migration);
  if (index < 0) throw new Error(`${migration.name} is not in MIGRATIONS`);
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, DATA_DIR: dataDir });
  const before = new DataSource({
    ...dataSourceOptions(config.database),
    migrations: MIGRATIONS.slice(0, index),
    migrationsRun: false,
  });
  await before.initialize();
  await before.runMigrations();
  await before.destroy();
}
