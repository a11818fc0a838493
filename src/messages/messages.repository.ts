import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { Pool } from 'mysql2';
import { Between, Brackets, QueryFailedError, type Repository } from 'typeorm';
import { Message } from './message.entity.js';
import {
  type MessageRow,
  retryKey,
  type StoredMessage,
  toStoredMessage,
} from './stored-message.js';

/** The recipient's account is found by name in the INSERT itself (NULL for the group). */
export type NewMessage = Omit<Message, 'id' | 'recipientId'>;

/** Plain SQL selects these: a MessageRow (the entity's names). */
const COLUMNS =
  'id, sender, sender_id AS senderId, recipient, recipient_id AS recipientId, ' +
  'text, cid, created_at AS createdAt, delivered';
const ROW_COLUMNS = COLUMNS.replace(/(^|, )/g, '$1m.');

/** The INSERT of the hot path: its columns, and one row of it (rowParameters gives its values). */
const INSERT_COLUMNS =
  '(sender, sender_id, recipient, recipient_id, text, cid, created_at, delivered)';
const INSERT_ROW = '(?, ?, ?, (SELECT a.id FROM admin a WHERE a.username = ?), ?, ?, ?, ?)';

function rowParameters(row: NewMessage): (string | number | null)[] {
  const { sender, senderId, recipient, text, cid, createdAt, delivered } = row;
  return [sender, senderId, recipient, recipient, text, cid, createdAt, delivered ? 1 : 0];
}

/** Every query on the `messages` table goes through here. */
@Injectable()
export class MessagesRepository {
  constructor(@InjectRepository(Message) private readonly messages: Repository<Message>) {}

  /**
   * Whether an INSERT can tell which of its rows it stored (INSERT ... RETURNING): SQLite (3.35
   * and later: better-sqlite3 bundles one) and MariaDB 10.5 and later. TypeORM speaks to MariaDB
   * as `mysql`, without RETURNING, and keeps only the number of the server's version, so the
   * server is asked, once. Without it, the rows found after the INSERT are taken for its own,
   * which is true only while this process is the only writer.
   */
  private insertReturns?: Promise<boolean>;

  insertTellsWhatItStored(): Promise<boolean> {
    if (this.messages.manager.connection.options.type !== 'mysql') return Promise.resolve(true);
    this.insertReturns ??= this.messages
      .query('SELECT VERSION() AS version')
      .then((rows: { version: string }[]) => {
        const match = /^(\d+)\.(\d+).*MariaDB/i.exec(rows[0]?.version ?? '');
        return match !== null && Number(match[1]) * 100 + Number(match[2]) >= 1005;
      })
      .catch((error: unknown) => {
        // The database is away: ask again with the next batch.
        this.insertReturns = undefined;
        throw error;
      });
    return this.insertReturns;
  }

  /**
   * One multi-row INSERT; rows whose (cid, sender_id) is already stored are skipped. Each
   * recipient's account is read by name in the INSERT itself: no extra round trip per batch.
   * Returns the rows this very statement stored when the database can say
   * (insertTellsWhatItStored), else null: a row skipped because it was already stored (by an
   * earlier batch, or by another instance an instant earlier) is not among them.
   */
  async insertSkippingDuplicates(rows: NewMessage[]): Promise<Map<string, StoredMessage> | null> {
    const returning = await this.insertTellsWhatItStored();
    if (rows.length === 0) return returning ? new Map() : null;
    if (!returning) {
      await this.insertWithQueryBuilder(rows);
      return null;
    }
    const stored =
      this.messages.manager.connection.options.type === 'mysql'
        ? await this.insertReturningMysql(rows)
        : this.insertReturningSqlite(rows);
    return byRetryKey(stored);
  }

  /*
   * The hot path (every message goes through one of the two below) speaks to the driver
   * itself: TypeORM's query builder and query runner cost more CPU than the statement (profiles
   * of `npm run bench`). Same connection (pool), same timeout, same SQL as TypeORM would send,
   * and a failure is TypeORM's QueryFailedError (around the driver's error) as everywhere else
   * (the parameters are left out: they hold the texts).
   */

  /**
   * SQLite: one prepared single-row statement, run for each row in one transaction (one commit,
   * one fsync, as a multi-row INSERT; better-sqlite3 is synchronous, so nothing else runs
   * between the rows). RETURNING gives each row as stored, nothing when the row was skipped.
   */
  private insertReturningSqlite(rows: NewMessage[]): MessageRow[] {
    const db = (
      this.messages.manager.connection.driver as unknown as { databaseConnection: SqliteDatabase }
    ).databaseConnection;
    if (this.sqliteInsert?.db !== db) {
      const sql = `INSERT OR IGNORE INTO messages ${INSERT_COLUMNS} VALUES ${INSERT_ROW} RETURNING ${COLUMNS}`;
      let statement: Statement<unknown[], MessageRow>;
      try {
        statement = db.prepare<unknown[], MessageRow>(sql);
      } catch (error) {
        throw new QueryFailedError(sql, [], error as Error);
      }
      const run = db.transaction((batch: NewMessage[]) => {
        const stored: MessageRow[] = [];
        for (const row of batch) {
          const inserted = statement.get(...rowParameters(row));
          if (inserted) stored.push(inserted);
        }
        return stored;
      });
      this.sqliteInsert = { db, sql, run };
    }
    try {
      return this.sqliteInsert.run(rows);
    } catch (error) {
      throw new QueryFailedError(this.sqliteInsert.sql, [], error as Error);
    }
  }

  /** The prepared INSERT of insertReturningSqlite, for the connection it was prepared on. */
  private sqliteInsert?: {
    db: SqliteDatabase;
    sql: string;
    run: (batch: NewMessage[]) => MessageRow[];
  };

  /**
   * MariaDB: one multi-row INSERT IGNORE ... RETURNING, a prepared statement (mysql2 `execute`:
   * parsed once per connection and number of rows, kept in mysql2's per-connection cache).
   */
  private insertReturningMysql(rows: NewMessage[]): Promise<MessageRow[]> {
    const { pool } = this.messages.manager.connection.driver as unknown as { pool: Pool };
    const { maxQueryExecutionTime } = this.messages.manager.connection.options as {
      maxQueryExecutionTime?: number;
    };
    const sql =
      `INSERT IGNORE INTO messages ${INSERT_COLUMNS} VALUES ` +
      Array.from(rows, () => INSERT_ROW).join(', ') +
      ` RETURNING ${COLUMNS}`;
    return new Promise((resolve, reject) =>
      pool.execute(
        { sql, timeout: maxQueryExecutionTime },
        rows.flatMap(rowParameters),
        (error: unknown, stored: unknown) =>
          error
            ? reject(new QueryFailedError(sql, [], error as Error))
            : resolve(stored as MessageRow[]),
      ),
    );
  }

  /** MySQL (no RETURNING): TypeORM's INSERT; the caller reads back what it stored. */
  private async insertWithQueryBuilder(rows: NewMessage[]): Promise<void> {
    const names: Record<string, string> = {};
    const values = rows.map((row, i) => {
      if (row.recipient === null) return { ...row, recipientId: null };
      names[`recipient${i}`] = row.recipient;
      return {
        ...row,
        recipientId: () => `(SELECT a.id FROM admin a WHERE a.username = :recipient${i})`,
      };
    });
    await this.messages
      .createQueryBuilder()
      .insert()
      .into(Message)
      .values(values)
      .setParameters(names)
      .orIgnore()
      // no SELECT of the generated columns after the INSERT: findByCids reads them
      .updateEntity(false)
      .execute();
  }

  /**
   * The stored messages with these client ids, by retryKey (any sender: the caller matches
   * senders; a message whose sender was removed is nobody's retry).
   */
  async findByCids(cids: string[]): Promise<Map<string, StoredMessage>> {
    if (cids.length === 0) return new Map();
    // Plain SQL: on the hot path of every message, the query builder cost more than the query.
    const rows: MessageRow[] = await this.messages.query(
      `SELECT ${ROW_COLUMNS} FROM messages m WHERE m.cid IN (${cids.map(() => '?').join(', ')})`,
      cids,
    );
    return byRetryKey(rows);
  }

  /** The newest `limit` group messages older than `beforeId`, newest first. */
  findGroupPage(beforeId: number | undefined, limit: number): Promise<StoredMessage[]> {
    return this.messages
      .createQueryBuilder('m')
      .where('m.recipient IS NULL')
      .andWhere(beforeId ? 'm.id < :beforeId' : '1=1', { beforeId })
      .orderBy('m.id', 'DESC')
      .limit(limit)
      .getMany()
      .then((rows) => rows.map(toStoredMessage));
  }

  /**
   * The newest `limit` messages between user `me` and the name `other` older than `beforeId`,
   * newest first: with whoever holds that name now, and with removed accounts that held it.
   */
  findPrivatePage(
    me: number,
    other: string,
    beforeId: number | undefined,
    limit: number,
  ): Promise<StoredMessage[]> {
    return this.messages
      .createQueryBuilder('m')
      .where(
        new Brackets((q) =>
          q
            .where('m.senderId = :me AND m.recipient = :other', { me, other })
            .orWhere('m.recipientId = :me AND m.sender = :other', { me, other }),
        ),
      )
      .andWhere(beforeId ? 'm.id < :beforeId' : '1=1', { beforeId })
      .orderBy('m.id', 'DESC')
      .limit(limit)
      .getMany()
      .then((rows) => rows.map(toStoredMessage));
  }

  /** What user `userId` may see (group, and private ones they sent or received), after `afterId`, oldest first. */
  findVisibleAfter(userId: number, afterId: number, limit: number): Promise<StoredMessage[]> {
    return this.visibleTo(userId)
      .andWhere('m.id > :afterId', { afterId })
      .orderBy('m.id', 'ASC')
      .limit(limit)
      .getMany()
      .then((rows) => rows.map(toStoredMessage));
  }

  /**
   * Id and text size in bytes of what user `userId` may see after `afterId` up to `untilId`, oldest
   * first, at most `limit`: what a catch-up would send, without reading the texts.
   */
  async findVisibleSizesAfter(
    userId: number,
    afterId: number,
    untilId: number,
    limit: number,
  ): Promise<{ id: number; bytes: number }[]> {
    const mysql = this.messages.manager.connection.options.type === 'mysql';
    const rows: { id: number | string; bytes: number | string }[] = await this.visibleTo(userId)
      .select('m.id', 'id')
      .addSelect(mysql ? 'LENGTH(m.text)' : 'LENGTH(CAST(m.text AS BLOB))', 'bytes')
      .andWhere('m.id > :afterId AND m.id <= :untilId', { afterId, untilId })
      .orderBy('m.id', 'ASC')
      .limit(limit)
      .getRawMany();
    return rows.map((row) => ({ id: Number(row.id), bytes: Number(row.bytes) }));
  }

  /** The private messages waiting for user `userId` after `afterId`, oldest first. */
  findUndeliveredAfter(userId: number, afterId: number, limit: number): Promise<StoredMessage[]> {
    return this.messages
      .createQueryBuilder('m')
      .where('m.recipientId = :userId AND m.delivered = 0', { userId })
      .andWhere('m.id > :afterId', { afterId })
      .orderBy('m.id', 'ASC')
      .limit(limit)
      .getMany()
      .then((rows) => rows.map(toStoredMessage));
  }

  /** Marks delivered the private messages waiting for user `userId` with ids in (afterId, upToId]. */
  async markDelivered(userId: number, afterId: number, upToId: number): Promise<void> {
    if (upToId <= afterId) return;
    await this.messages.update(
      { recipientId: userId, delivered: false, id: Between(afterId + 1, upToId) },
      { delivered: true },
    );
  }

  /**
   * For each user, their newest `limit` private messages (sent or received): one statement for
   * them all (a UNION of one small indexed query each), newest first; a message between two of
   * them may come twice.
   */
  findRecentPrivateOfEach(userIds: number[], limit: number): Promise<StoredMessage[]> {
    return this.unionOfEach(
      userIds,
      'm.recipient IS NOT NULL AND (m.sender_id = ? OR m.recipient_id = ?)',
      (id) => [id, id],
      'm.id DESC',
      limit,
    );
  }

  /** For each user, the oldest `limit` private messages that waited for them, in one statement. */
  findUndeliveredOfEach(userIds: number[], limit: number): Promise<StoredMessage[]> {
    return this.unionOfEach(
      userIds,
      'm.recipient_id = ? AND m.delivered = 0',
      (id) => [id],
      'm.id ASC',
      limit,
    );
  }

  /**
   * The catch-up window before `lastId` (MessagesService.catchUp): the id after which the
   * messages stored within `windowMs` before the one at `lastId` (or the last before it) begin,
   * among the `maxIds` ids up to `lastId`. `lastId` when there are none. One statement: the
   * newest `maxIds` rows up to `lastId` by primary key, no index on created_at needed.
   */
  async findWindowStart(lastId: number, windowMs: number, maxIds: number): Promise<number> {
    const take = Math.max(1, Math.trunc(maxIds));
    const rows: { id: number | string | null }[] = await this.messages.query(
      `SELECT MIN(r.id) AS id FROM (SELECT m.id, m.created_at FROM messages m WHERE m.id <= ? ` +
        `ORDER BY m.id DESC LIMIT ${take}) r WHERE r.created_at >= (SELECT l.created_at ` +
        `FROM messages l WHERE l.id <= ? ORDER BY l.id DESC LIMIT 1) - ?`,
      [lastId, lastId, windowMs],
    );
    const first = rows[0]?.id;
    return first === null || first === undefined ? lastId : Math.min(lastId, Number(first) - 1);
  }

  /** Highest id stored, 0 when empty. */
  async lastId(): Promise<number> {
    const [last] = await this.messages.find({
      select: { id: true },
      order: { id: 'DESC' },
      take: 1,
    });
    return last?.id ?? 0;
  }

  /**
   * SELECT ... WHERE <where for user 1> ORDER BY ... LIMIT n UNION ALL ... for user 2 .... MySQL
   * takes each member in parentheses (as derived tables they cost MariaDB ~10x more: each is
   * materialised); SQLite only as a derived table.
   */
  private async unionOfEach(
    userIds: number[],
    where: string,
    params: (userId: number) => number[],
    order: string,
    limit: number,
  ): Promise<StoredMessage[]> {
    if (userIds.length === 0) return [];
    const take = Math.max(1, Math.trunc(limit));
    const select = `SELECT ${ROW_COLUMNS} FROM messages m WHERE ${where} ORDER BY ${order} LIMIT ${take}`;
    const mysql = this.messages.manager.connection.options.type === 'mysql';
    const member = (i: number) => (mysql ? `(${select})` : `SELECT * FROM (${select}) AS u${i}`);
    const sql = userIds.map((_, i) => member(i)).join(' UNION ALL ');
    const rows: MessageRow[] = await this.messages.query(sql, userIds.flatMap(params));
    return rows.map(toStoredMessage);
  }

  private visibleTo(userId: number) {
    return this.messages
      .createQueryBuilder('m')
      .where(
        new Brackets((q) =>
          q
            .where('m.recipient IS NULL')
            .orWhere('m.recipientId = :userId', { userId })
            .orWhere('m.senderId = :userId', { userId }),
        ),
      );
  }
}

/** Rows by retryKey; a message whose sender was removed is nobody's retry. */
function byRetryKey(rows: MessageRow[]): Map<string, StoredMessage> {
  const found = new Map<string, StoredMessage>();
  for (const row of rows) {
    if (row.senderId !== null)
      found.set(retryKey(Number(row.senderId), row.cid), toStoredMessage(row));
  }
  return found;
}
