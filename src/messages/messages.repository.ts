import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Between, Brackets, type Repository } from 'typeorm';
import { Message } from './message.entity.js';

/** The recipient's account is found by name in the INSERT itself (NULL for the group). */
export type NewMessage = Omit<Message, 'id' | 'recipientId'>;

/** A row of `messages` as the drivers return it from raw SQL. */
interface RawMessage {
  id: number | string;
  sender: string;
  sender_id: number | string | null;
  recipient: string | null;
  recipient_id: number | string | null;
  text: string;
  cid: string;
  created_at: number | string;
  delivered: number | string | boolean;
}

function fromRaw(row: RawMessage): Message {
  return Object.assign(new Message(), {
    id: Number(row.id),
    sender: row.sender,
    senderId: row.sender_id === null ? null : Number(row.sender_id),
    recipient: row.recipient,
    recipientId: row.recipient_id === null ? null : Number(row.recipient_id),
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

  /**
   * One multi-row INSERT; rows whose (cid, sender_id) is already stored are skipped. Each
   * recipient's account is read by name in the INSERT itself: no extra round trip per batch.
   */
  async insertSkippingDuplicates(rows: NewMessage[]): Promise<void> {
    if (rows.length === 0) return;
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

  /**
   * The newest `limit` messages between user `me` and the name `other` older than `beforeId`,
   * newest first: with whoever holds that name now, and with removed accounts that held it.
   */
  findPrivatePage(
    me: number,
    other: string,
    beforeId: number | undefined,
    limit: number,
  ): Promise<Message[]> {
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
      .getMany();
  }

  /** What user `userId` may see (group, and private ones they sent or received), after `afterId`, oldest first. */
  findVisibleAfter(userId: number, afterId: number, limit: number): Promise<Message[]> {
    return this.visibleTo(userId)
      .andWhere('m.id > :afterId', { afterId })
      .orderBy('m.id', 'ASC')
      .limit(limit)
      .getMany();
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
  findUndeliveredAfter(userId: number, afterId: number, limit: number): Promise<Message[]> {
    return this.messages
      .createQueryBuilder('m')
      .where('m.recipientId = :userId AND m.delivered = 0', { userId })
      .andWhere('m.id > :afterId', { afterId })
      .orderBy('m.id', 'ASC')
      .limit(limit)
      .getMany();
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
  findRecentPrivateOfEach(userIds: number[], limit: number): Promise<Message[]> {
    return this.unionOfEach(
      userIds,
      'm.recipient IS NOT NULL AND (m.sender_id = ? OR m.recipient_id = ?)',
      (id) => [id, id],
      'm.id DESC',
      limit,
    );
  }

  /** For each user, the oldest `limit` private messages that waited for them, in one statement. */
  findUndeliveredOfEach(userIds: number[], limit: number): Promise<Message[]> {
    return this.unionOfEach(
      userIds,
      'm.recipient_id = ? AND m.delivered = 0',
      (id) => [id],
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
    userIds: number[],
    where: string,
    params: (userId: number) => number[],
    order: string,
    limit: number,
  ): Promise<Message[]> {
    if (userIds.length === 0) return [];
    const take = Math.max(1, Math.trunc(limit));
    const select = `SELECT m.* FROM messages m WHERE ${where} ORDER BY ${order} LIMIT ${take}`;
    const mysql = this.messages.manager.connection.options.type === 'mysql';
    const member = (i: number) => (mysql ? `(${select})` : `SELECT * FROM (${select}) AS u${i}`);
    const sql = userIds.map((_, i) => member(i)).join(' UNION ALL ');
    const rows: RawMessage[] = await this.messages.query(sql, userIds.flatMap(params));
    return rows.map(fromRaw);
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
