import { Injectable } from '@nestjs/common';
import {
  type HealthIndicatorFunction,
  type HealthIndicatorResult,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { DatabaseWatchdog } from '../database/database-watchdog.service.js';
import { RedisService } from '../redis/redis.service.js';
import { CHECK_CACHE_MS, CHECK_TIMEOUT_MS } from './health-timing.js';
import { ShutdownState } from './shutdown-state.js';

/**
 * What /health/ready checks, one terminus indicator each: the database answers, Redis answers
 * (cluster mode only), the migrations are applied, the instance is not stopping.
 */
@Injectable()
export class ReadinessChecks {
  /** Once the migrations were found applied they stay so: no query per probe after that. */
  private migrationsApplied = false;

  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
    private readonly watchdog: DatabaseWatchdog,
    private readonly redis: RedisService,
    private readonly shutdown: ShutdownState,
  ) {}

  /** The indicators, in the order they appear in the answer. */
  all(): HealthIndicatorFunction[] {
    return [
      () => this.database(),
      ...(this.redis.enabled ? [() => this.redisPing()] : []),
      () => this.migrations(),
      () => this.notDraining(),
    ];
  }

  private database(): PromiseLike<HealthIndicatorResult> {
    return this.indicators
      .check('database')
      .attempt(async () => {
        // A dropped database or removed SQLite file: the watchdog already knows, no query.
        this.watchdog.assertPresent();
        await this.dataSource.query('SELECT 1');
      })
      .withTimeout(CHECK_TIMEOUT_MS)
      .cacheFor(CHECK_CACHE_MS);
  }

  private redisPing(): PromiseLike<HealthIndicatorResult> {
    // Commands fail fast while Redis is away (no offline queue, 1 s command timeout).
    return this.indicators
      .check('redis')
      .attempt(async () => {
        await this.redis.client!.ping();
      })
      .withTimeout(CHECK_TIMEOUT_MS)
      .cacheFor(CHECK_CACHE_MS);
  }

  private async migrations(): Promise<HealthIndicatorResult> {
    if (this.migrationsApplied) return this.indicators.check('migrations').up();
    return this.indicators
      .check('migrations')
      .attempt(async () => {
        // showMigrations(): true when some migration is pending.
        if (await this.dataSource.showMigrations()) throw new Error('migrations pending');
        this.migrationsApplied = true;
      })
      .withTimeout(CHECK_TIMEOUT_MS)
      .cacheFor(CHECK_CACHE_MS);
  }

  private notDraining(): HealthIndicatorResult {
    const session = this.indicators.check('shutdown');
    return this.shutdown.draining
      ? session.down({ message: `draining (${this.shutdown.reason})` })
      : session.up();
  }
}
