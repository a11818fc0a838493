import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's own logger prints query parameters, which can hold password hashes and message
 * text. This one never does: failed queries reach the log through the code that handles them.
 */
export class QuietTypeOrmLogger implements TypeOrmLogger {
  private readonly logger = new Logger('Database');

  logQuery(): void {}
  logQueryError(): void {}
  logSchemaBuild(_message: string): void {}

  logQuerySlow(time: number, query: string): void {
    this.logger.warn(`slow query (${time} ms): ${query.slice(0, 200)}`);
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
  }
}

/**
 * For the TypeORM CLI (ormconfig.ts): prints what `migration:show`, `migration:run` and
 * `migration:revert` report (which migrations ran, which are pending) on stdout; queries and
 * their parameters still never.
 */
export class CliTypeOrmLogger extends QuietTypeOrmLogger {
  override logSchemaBuild(message: string): void {
    console.log(message);
  }

  override logMigration(message: string): void {
    console.log(message);
  }
}
