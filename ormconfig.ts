// The TypeORM DataSource for the CLI (`npm run typeorm -- migration:show`): the same configuration
// and migrations as the server, with a logger that shows what the migration commands report.
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/app-config.js';
import { dataSourceOptions } from './src/database/data-source-options.js';
import { CliTypeOrmLogger } from './src/database/quiet-typeorm-logger.js';

const config = loadConfig();

export default new DataSource({
  ...dataSourceOptions(config.database, config.dbTimeoutMs),
  migrationsRun: false,
  logger: new CliTypeOrmLogger(),
});
