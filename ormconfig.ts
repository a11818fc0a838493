// The TypeORM DataSource for the CLI (`npm run typeorm -- migration:show`): the same configuration
// and migrations as the server.
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/app-config.js';
import { dataSourceOptions } from './src/database/data-source-options.js';

export default new DataSource({
  ...dataSourceOptions(loadConfig().database),
  migrationsRun: false,
});
