// The TypeORM DataSource for the CLI (`npm run typeorm -- migration:show`): the same configuration
// and migrations as the server.
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/app-config.js';
import { dataSourceOptions } from './src/database/data-source-options.js';

const config = loadConfig();

export default new DataSource({
  ...dataSourceOptions(config.database, config.dbTimeoutMs),
  migrationsRun: false,
});
