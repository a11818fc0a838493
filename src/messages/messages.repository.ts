import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Between, Brackets, type Repository } from 'typeorm';
import { Message } from './message.entity.js';

export type NewMessage = Omit<Message, 'id'>;

/** A row of `messages` as the drivers return it from raw SQL. */
interface RawMessage {
  id: number | string;
  sender: string;
  recipient: string | null;
  text: string;
  cid: string;
  created_at: number | string;
  delivered: number | string | boolean;
}

function fromRaw(row: RawMessage): Message {
  return Object.assign(new Message(), {
    id: Number(row.id),
    sender: row.sender,
    recipient: row.recipient,
    text: row.text,
    cid: row.cid,
    createdAt: Number(row.created_at),
    delivered: Number(row.delivered) === 1,
  });
}

/** Every query on the `messages` table goes through here. */
@Injectable()
export class MessagesRepository {
  constructor(@InjectRepository(Message) private readonly messages: Repository<Message>) {}

  /** One multi-row INSERT; rows whose (cid, sender) is already stored are skipped. */
  async insertSkippingDuplicates(rows: NewMessage[]): Promise<void> {
    if (rows.length === 0) return;
    await this.messages
      .createQueryBuilder()
      .insert()
      .into(Message)
      .values(rows)
      .orIgnore()
      // no SELECT of the generated columns after the INSERT: findByCids reads the ids
      .updateEntity(false)
      .execute();
  }

  /** The stored messages with these client ids (any sender: the caller matches senders). */
  async findByCids(cids: string[]): Promise<Message[]> {
    if (cids.length === 0) return [];
    // Plain SQL: on the hot path of every message, the query builder cost more than the query.
    const rows: RawMessage[] = await this.messages.query(
      `SELECT * FROM messages WHERE cid IN (${cids.map(() => '?').join(', ')})`,
      cids,
    );
    return rows.map(fromRaw);
  }

  /** The newest `limit` group messages older than `beforeId`, newest first. */
  findGroupPage(beforeId: number | undefined, limit: number): Promise<Message[]> {
    return this.messages
      .createQueryBuilder('m')
      .where('m.recipient IS NULL')
      .andWhere(beforeId ? 'm.id < :beforeId' : '1=1', { beforeId })
      .orderBy('m.id', 'DESC')
      .limit(limit)
      .getMany();
  }

  /** The newest `limit` messages between two users older than `beforeId`, newest first. */
  findPrivatePage(
    a: string,
    b: string,
    beforeId: number | undefined,
    limit: number,
  ): Promise<Message[]> {
    return this.messages
      .createQueryBuilder('m')
      .where(
        new Brackets((q) =>
          q
            .where('m.sender = :a AND m.recipient = :b', { a, b })
            .orWhere('m.sender = :b AND m.recipient = :a', { a, b }),
        ),
      )
      .andWhere(beforeId ? 'm.id < :beforeId' : '1=1', { beforeId })
      .orderBy('m.id', 'DESC')
      .limit(limit)
      .getMany();
  }

  /** What `username` may see (group, and private ones they sent or received), after `afterId`, oldest first. */
  findVisibleAfter(username: string, afterId: number, limit: number): Promise<Message[]> {
    return this.visibleTo(username)
      .andWhere('m.id > :afterId', { afterId })
      .orderBy('m.id', 'ASC')
      .limit(limit)
      .getMany();
  }

  /**
   * Id and text size in bytes of what `username` may see after `afterId` up to `untilId`, oldest
   * first, at most `limit`: what a catch-up would send, without reading the texts.
   */
  async findVisibleSizesAfter(
    username: string,
    afterId: number,
    untilId: number,
    limit: number,
  ): Promise<{ id: number; bytes: number }[]> {
    const mysql = this.messages.manager.connection.options.type === 'mysql';
    const rows: { id: number | string; bytes: number | string }[] = await this.visibleTo(username)
      .select('m.id', 'id')
      .addSelect(mysql ? 'LENGTH(m.text)' : 'LENGTH(CAST(m.text AS BLOB))', 'bytes')
      .andWhere('m.id > :afterId AND m.id <= :untilId', { afterId, untilId })
      .orderBy('m.id', 'ASC')
      .limit(limit)
      .getRawMany();
    return rows.map((row) => ({ id: Number(row.id), bytes: Number(row.bytes) }));
  }

  /** The private messages waiting for `username` after `afterId`, oldest first. */
  findUndeliveredAfter(username: string, afterId: number, limit: number): Promise<Message[]> {
    return this.messages
      .createQueryBuilder('m')
      .where('m.recipient = :username AND m.delivered = 0', { username })
      .andWhere('m.id > :afterId', { afterId })
      .orderBy('m.id', 'ASC')
      .limit(limit)
      .getMany();
  }

  /** Marks delivered the private messages waiting for `username` with ids in (afterId, upToId]. */
  async markDelivered(username: string, afterId: number, upToId: number): Promise<void> {
    if (upToId <= afterId) return;
    await this.messages.update(
      { recipient: username, delivered: false, id: Between(afterId + 1, upToId) },
      { delivered: true },
    );
  }

  /**
   * For each user, their newest `limit` private messages (sent or received): one statement for
   * them all (a UNION of one small indexed query each), newest first; a message between two of
   * them may come twice.
   */
  findRecentPrivateOfEach(usernames: string[], limit: number): Promise<Message[]> {
    return this.unionOfEach(
      usernames,
      'm.recipient IS NOT NULL AND (m.sender = ? OR m.recipient = ?)',
      (name) => [name, name],
      'm.id DESC',
      limit,
    );
  }

  /** For each user, the oldest `limit` private messages that waited for them, in one statement. */
  findUndeliveredOfEach(usernames: string[], limit: number): Promise<Message[]> {
    return this.unionOfEach(
      usernames,
      'm.recipient = ? AND m.delivered = 0',
      (name) => [name],
      'm.id ASC',
      limit,
    );
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
    usernames: string[],
    where: string,
    params: (username: string) => string[],
    order: string,
    limit: number,
  ): Promise<Message[]> {
    if (usernames.length === 0) return [];
    const take = Math.max(1, Math.trunc(limit));
    const select = `SELECT m.* FROM messages m WHERE ${where} ORDER BY ${order} LIMIT ${take}`;
    const mysql = this.messages.manager.connection.options.type === 'mysql';
    const member = (i: number) => (mysql ? `(${select})` : `SELECT * FROM (${select}) AS u${i}`);
    const sql = usernames.map((_, i) => member(i)).join(' UNION ALL ');
    const rows: RawMessage[] = await this.messages.query(sql, usernames.flatMap(params));
    return rows.map(fromRaw);
  }

  private visibleTo(username: string) {
    return this.messages
      .createQueryBuilder('m')
      .where(
        new Brackets((q) =>
          q
            .where('m.recipient IS NULL')
            .orWhere('m.recipient = :username', { username })
            .orWhere('m.sender = :username', { username }),
        ),
      );
  }
}
