import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, In, LessThan, type Repository } from 'typeorm';
import { Message } from './message.entity.js';

export type NewMessage = Omit<Message, 'id'>;

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
      .execute();
  }

  /** The stored messages with these client ids (any sender: the caller matches senders). */
  findByCids(cids: string[]): Promise<Message[]> {
    if (cids.length === 0) return Promise.resolve([]);
    return this.messages.find({ where: { cid: In(cids) } });
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

  /** The newest `limit` messages `username` may see, newest first. */
  findRecentVisible(username: string, limit: number): Promise<Message[]> {
    return this.visibleTo(username).orderBy('m.id', 'DESC').limit(limit).getMany();
  }

  /** Private messages stored while `username` was offline, oldest first. */
  findUndelivered(username: string, limit: number): Promise<Message[]> {
    return this.messages.find({
      where: { recipient: username, delivered: false },
      order: { id: 'ASC' },
      take: limit,
    });
  }

  async markDelivered(username: string, upToId: number): Promise<void> {
    await this.messages.update(
      { recipient: username, delivered: false, id: LessThan(upToId + 1) },
      { delivered: true },
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
