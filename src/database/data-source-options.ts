import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from './database.config.js';
import { QuietTypeOrmLogger } from './quiet-typeorm-logger.js';
import { RevokedToken } from '../auth/revoked-token.entity.js';
import { Message } from '../messages/message.entity.js';
import { User } from '../users/user.entity.js';
import { CreateAdminTable1764000000000 } from './migrations/1764000000000-create-admin-table.js';
import { CreateMessagesTable1764000000001 } from './migrations/1764000000001-create-messages-table.js';
import { AddTokenRevocation1764000000002 } from './migrations/1764000000002-add-token-revocation.js';
import { AddMessageUserIds1764000000003 } from './migrations/1764000000003-add-message-user-ids.js';
import { AddUsernameKey1764000000004 } from './migrations/1764000000004-add-username-key.js';
import { RenameReservedUsernames1764000000005 } from './migrations/1764000000005-rename-reserved-usernames.js';

/** Listed explicitly (not globbed) so that the app, the CLI and the tests load the same set. */
export const ENTITIES = [User, Message, RevokedToken];
export const MIGRATIONS = [
  CreateAdminTable1764000000000,
  CreateMessagesTable1764000000001,
  AddTokenRevocation1764000000002,
  AddMessageUserIds1764000000003,
  AddUsernameKey1764000000004,
  RenameReservedUsernames1764000000005,
];

/**
 * TypeORM options for either database; the schema always comes from the migrations. No query
 * or connection waits longer than `timeoutMs`, so a database that is away is reported as such
 * (503, refused message) instead of hanging requests.
 */
export function dataSourceOptions(database: DatabaseConfig, timeoutMs = 1500): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: true,
    synchronize: false,
    logger: new QuietTypeOrmLogger(),
    logging: ['warn', 'migration'] as ('warn' | 'migration')[],
  };
  if (database.type === 'sqlite') {
    mkdirSync(dirname(database.file), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: database.file,
      enableWAL: true,
      // An acknowledged message must survive a power cut, not only a crash: WAL's default
      // (NORMAL) syncs at checkpoints only. Set before WAL mode, which keeps an explicit value.
      prepareDatabase: (db: { pragma(source: string): unknown }) => {
        db.pragma('synchronous = FULL');
      },
      timeout: timeoutMs,
    };
  }
  return {
    ...common,
    type: 'mysql',
    url: database.url,
    charset: 'utf8mb4_bin',
    poolSize: database.poolSize,
    connectTimeout: timeoutMs,
    enableQueryTimeout: true,
    maxQueryExecutionTime: timeoutMs,
    extra: {
      // mysql2 otherwise captures a stack trace on every query (a tenth of our CPU under load);
      // our database errors are logged by message anyway.
      trace: false,
      // The message store's INSERT is prepared once per batch size and connection (mysql2
      // keeps 16,000 by default): at most this many per connection stay open on the server,
      // whose max_prepared_stmt_count (16,382 by default) every instance's pool shares.
      maxPreparedStatements: 32,
    },
  };
}
