import {
  Global,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  RequestMethod,
} from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { NextFunction, Request, Response } from 'express';
import type { ConfigType } from '@nestjs/config';
import { dataSourceOptions } from './data-source-options.js';
import { DatabaseWatchdog } from './database-watchdog.service.js';
import { databaseConfig } from './database.config.js';

/** The TypeORM connection; migrations run when it opens. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [databaseConfig.KEY],
      useFactory: (config: ConfigType<typeof databaseConfig>) => ({
        ...dataSourceOptions(config.database, config.dbTimeoutMs),
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
  ],
  providers: [DatabaseWatchdog],
  exports: [DatabaseWatchdog],
})
export class DatabaseModule implements NestModule {
  constructor(private readonly watchdog: DatabaseWatchdog) {}

  /**
   * Once the database is found gone, every request answers 503 (HttpErrorFilter) until the stop;
   * no I/O per request: the watchdog's last check says. Not the health probes: those say it
   * themselves (readiness: `database` down; liveness: the process still answers).
   */
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply((_req: Request, _res: Response, next: NextFunction) => {
        this.watchdog.assertPresent();
        next();
      })
      .exclude({ path: 'health/*path', method: RequestMethod.GET })
      .forRoutes('*');
  }
}
