import { Injectable } from '@nestjs/common';
import { Batcher } from '../common/batcher.js';
import type { Message } from './message.entity.js';
import {
  type MessageDraft,
  MessageStore,
  type SaveResult,
  type StoredMessage,
  toStored,
} from './message-store.service.js';
import { MessagesRepository } from './messages.repository.js';

export const HISTORY_DEFAULT_LIMIT = 50;
export const HISTORY_MAX_LIMIT = 200;
/** Recent messages sent on a fresh connect. */
export const RECENT_ON_CONNECT = 100;
/** Catch-up after a reconnect is sent in pages of this size. */
export const CATCH_UP_PAGE = 500;

/** Users whose connect history is read by one batch of queries. */
const CONNECT_BATCH = 100;

interface ConnectHistory {
  recent: Message[];
  waiting: Message[];
}

/**
 * One conversation: the group (`all`) or the private one between user `me` and the name `with`
 * (whoever holds it now, and removed accounts that held it).
 */
export type Conversation = { kind: 'group' } | { kind: 'private'; me: number; with: string };

@Injectable()
export class MessagesService {
  /** A crowd connecting at once (a restart, a class starting) costs three queries per batch. */
  private readonly connectHistory = new Batcher<number, ConnectHistory>(
    (userIds) => this.readConnectHistory(userIds),
    { concurrency: 2, maxBatch: CONNECT_BATCH, waitMs: 25 },
  );

  constructor(
    private readonly store: MessageStore,
    private readonly messages: MessagesRepository,
  ) {}

  send(draft: MessageDraft): Promise<SaveResult> {
    return this.store.save(draft);
  }

  /** A page of one conversation: the `limit` messages just older than `beforeId`, oldest first. */
  async page(
    conversation: Conversation,
    beforeId: number | undefined,
    limit: number,
  ): Promise<StoredMessage[]> {
    const take = Math.min(Math.max(limit, 1), HISTORY_MAX_LIMIT);
    const rows =
      conversation.kind === 'group'
        ? await this.messages.findGroupPage(beforeId, take)
        : await this.messages.findPrivatePage(conversation.me, conversation.with, beforeId, take);
    return rows.reverse().map(toStored);
  }

  /**
   * What a user who just connected should receive, in pages, oldest first, up to `untilId`:
   * everything after `lastId` when reconnecting; otherwise the recent messages plus the private
   * ones that waited for them while they were offline. Call it after the socket joined its rooms,
   * with `untilId` = the store's lastStoredId read at that moment: later messages reach the socket
   * live, so nothing is missed and nothing comes twice.
   */
  async *catchUp(
    userId: number,
    lastId: number | undefined,
    untilId: number,
  ): AsyncGenerator<StoredMessage[]> {
    if (lastId !== undefined) {
      let after = lastId;
      while (after < untilId) {
        const rows = (await this.messages.findVisibleAfter(userId, after, CATCH_UP_PAGE)).filter(
          (row) => row.id <= untilId,
        );
        if (rows.length === 0) return;
        yield rows.map(toStored);
        after = rows[rows.length - 1].id;
      }
      return;
    }
    const { recent, waiting } = await this.connectHistory.ask(userId);
    const byId = new Map(
      [...recent, ...waiting].filter((m) => m.id <= untilId).map((m) => [m.id, m]),
    );
    yield [...byId.values()].sort((a, b) => a.id - b.id).map(toStored);
  }

  /**
   * For each user: the newest RECENT_ON_CONNECT messages they may see (group and their private
   * ones), newest first, and the private ones that waited for them, oldest first.
   */
  private async readConnectHistory(userIds: number[]): Promise<ConnectHistory[]> {
    const unique = [...new Set(userIds)];
    const [group, privates, waiting] = await Promise.all([
      this.messages.findGroupPage(undefined, RECENT_ON_CONNECT),
      this.messages.findRecentPrivateOfEach(unique, RECENT_ON_CONNECT),
      this.messages.findUndeliveredOfEach(unique, CATCH_UP_PAGE),
    ]);
    const privateOf = new Map(unique.map((id) => [id, new Map<number, Message>()]));
    for (const m of privates) {
      if (m.senderId !== null) privateOf.get(m.senderId)?.set(m.id, m);
      if (m.recipientId !== null) privateOf.get(m.recipientId)?.set(m.id, m);
    }
    const waitingFor = new Map(unique.map((id) => [id, [] as Message[]]));
    for (const m of waiting) if (m.recipientId !== null) waitingFor.get(m.recipientId)?.push(m);
    return userIds.map((id) => {
      const recent = [...group, ...(privateOf.get(id)?.values() ?? [])]
        .sort((a, b) => b.id - a.id)
        .slice(0, RECENT_ON_CONNECT);
      return { recent, waiting: waitingFor.get(id) ?? [] };
    });
  }

  /** The private messages that waited for user `userId` up to `upToId` have now reached them. */
  markDelivered(userId: number, upToId: number): Promise<void> {
    return this.messages.markDelivered(userId, upToId);
  }
}
