// The TypeORM DataSource for the CLI (`npm run typeorm -- migration:show`): the same configuration
// and migrations as the server, with a logger that shows what the migration commands report.
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './src/database/data-source-options.js';
import { databaseConfig } from './src/database/database.config.js';
import { CliTypeOrmLogger } from './src/database/quiet-typeorm-logger.js';

// As a registerAs factory called directly: validates process.env and builds the database's slice.
const { database, dbTimeoutMs } = databaseConfig();

export default new DataSource({
  ...dataSourceOptions(database, dbTimeoutMs),
  migrationsRun: false,
  logger: new CliTypeOrmLogger(),
});
