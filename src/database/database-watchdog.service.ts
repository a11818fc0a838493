import { statSync } from 'node:fs';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ConfigType } from '@nestjs/config';
import { databaseConfig } from './database.config.js';
import { DatabaseGoneError, isDatabaseGone } from './database-errors.js';

/** How often the database is checked for still being the one the server opened. */
export const DATABASE_CHECK_MS = 1000;

type LostListener = (reason: string) => void;

/**
 * Notices that the database the server opened is gone: a MariaDB database dropped (or its
 * tables), a SQLite file removed or replaced. Recovering in place would leave every id, session
 * and socket pointing at rows that no longer exist, so the server stops instead (main.ts: exit
 * 1, for a supervisor to start it again, which runs the migrations on the new database). Until
 * it has stopped, requests answer 503 and messages are refused with `retry: true`, never
 * acknowledged into a file that is no longer there.
 */
@Injectable()
export class DatabaseWatchdog implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DatabaseWatchdog.name);
  private readonly listeners: LostListener[] = [];
  private lostReason: string | null = null;
  /** The SQLite file as opened: a file at the same path with another inode is not ours. */
  private sqliteIdentity: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(databaseConfig.KEY) private readonly config: ConfigType<typeof databaseConfig>,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.database.type === 'sqlite') {
      this.sqliteIdentity = fileIdentity(this.config.database.file);
    }
    this.schedule();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Called once, with the reason, when the database is found gone. */
  onLost(listener: LostListener): void {
    this.listeners.push(listener);
  }

  /** Throws DatabaseGoneError once the database was found gone (by the last check: no I/O). */
  assertPresent(): void {
    if (this.lostReason) throw new DatabaseGoneError(this.lostReason);
  }

  /**
   * The same, checked now on SQLite (a stat): before acknowledging what was just written, which
   * must not go into a removed file in the second before the next periodic check.
   */
  assertPresentNow(): void {
    if (this.config.database.type === 'sqlite') this.checkSqliteFile();
    this.assertPresent();
  }

  private schedule(): void {
    if (this.stopped || this.lostReason) return;
    this.timer = setTimeout(() => {
      void this.check().finally(() => this.schedule());
    }, DATABASE_CHECK_MS);
    this.timer.unref();
  }

  private async check(): Promise<void> {
    if (this.config.database.type === 'sqlite') {
      this.checkSqliteFile();
      return;
    }
    try {
      const table = this.dataSource.options.migrationsTableName ?? 'migrations';
      await this.dataSource.query(`SELECT 1 FROM \`${table}\` LIMIT 1`);
    } catch (error) {
      // An outage (unreachable, timeout) is waited out; only a missing database or table counts.
      if (isDatabaseGone(error))
        this.lose(`the database was dropped (${(error as Error).message})`);
    }
  }

  private checkSqliteFile(): void {
    if (this.lostReason || this.sqliteIdentity === null) return;
    const file = (this.config.database as { file: string }).file;
    const now = fileIdentity(file);
    if (now === null) this.lose(`the SQLite file ${file} was removed`);
    else if (now !== this.sqliteIdentity) this.lose(`the SQLite file ${file} was replaced`);
  }

  private lose(reason: string): void {
    if (this.lostReason) return;
    this.lostReason = reason;
    this.logger.error(
      `${reason}: refusing requests and stopping; start the server again once the database ` +
        'is back (its migrations run at start-up)',
    );
    for (const listener of this.listeners) listener(reason);
  }
}

function fileIdentity(file: string): string | null {
  try {
    const { dev, ino } = statSync(file, { bigint: true });
    return `${dev}:${ino}`;
  } catch {
    return null;
  }
}
