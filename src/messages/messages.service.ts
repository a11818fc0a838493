import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Batcher } from '../common/batcher.js';
import { ChatMetrics } from '../metrics/chat-metrics.js';
import {
  CATCH_UP_MAX_BYTES,
  CATCH_UP_MAX_MESSAGES,
  CATCH_UP_PAGE,
  CATCH_UP_WINDOW_MAX_IDS,
  type CatchUpBudget,
  type CatchUpPage,
  RECENT_ON_CONNECT,
} from './catch-up.js';
import { type Conversation, HISTORY_MAX_LIMIT } from './history-page.js';
import { MessageStore } from './message-store.service.js';
import { messagesConfig } from './messages.config.js';
import { MessagesRepository } from './messages.repository.js';
import type { MessageDraft, SaveResult, StoredMessage } from './stored-message.js';

/** Users whose connect history is read by one batch of queries. */
const CONNECT_BATCH = 100;

interface ConnectHistory {
  recent: StoredMessage[];
  /** The oldest CATCH_UP_PAGE waiting ones: more may wait. */
  waiting: StoredMessage[];
  /** `recent` was cut: there are older messages. */
  older: boolean;
}

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
    @Inject(messagesConfig.KEY) private readonly config: ConfigType<typeof messagesConfig>,
    @Optional() private readonly metrics: ChatMetrics = new ChatMetrics(),
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
    const rows = await this.metrics.timeQuery('history', () =>
      conversation.kind === 'group'
        ? this.messages.findGroupPage(beforeId, take)
        : this.messages.findPrivatePage(conversation.me, conversation.with, beforeId, take),
    );
    return rows.reverse();
  }

  /**
   * What a user who just connected should receive, in pages, oldest first, up to `untilId`:
   * everything after `lastId` when reconnecting (if it is within CATCH_UP_MAX_MESSAGES,
   * CATCH_UP_MAX_BYTES and the user's budget); otherwise the recent messages, with `more`. Every
   * private message that waited for them is in either, however many. Call it after the socket
   * joined its rooms, with `untilId` = the store's catchUpUntil() read at that moment: later
   * messages reach the socket live, so nothing is missed (and, alone, nothing comes twice;
   * with several writers see catchUpUntil). The last page
   * has `done`, even when there is nothing to send.
   *
   * With a catch-up window (CATCH_UP_WINDOW_MS, cluster mode), a reconnect's catch-up also sends
   * again the messages stored within that time before `lastId`: another instance may have
   * delivered a later id before an earlier one, or a transaction with an earlier id committed
   * after a later one, and the client, gone in between, would never get the earlier one. The
   * client drops by id what it already has. The window is not counted against the limits above
   * (only what came after `lastId` is), but it is charged to the budget.
   */
  async *catchUp(
    userId: number,
    lastId: number | undefined,
    untilId: number,
    budget: CatchUpBudget,
  ): AsyncGenerator<CatchUpPage> {
    if (lastId === undefined) {
      yield* this.newest(userId, untilId, false, budget);
      return;
    }
    const from =
      this.config.catchUpWindowMs > 0
        ? await this.catchUpRead(() =>
            this.messages.findWindowStart(
              lastId,
              this.config.catchUpWindowMs,
              CATCH_UP_WINDOW_MAX_IDS,
            ),
          )
        : lastId;
    // Sizes first (ids and lengths only): a long gap is not read at all.
    const sizes = await this.catchUpRead(() =>
      this.messages.findVisibleSizesAfter(
        userId,
        from,
        untilId,
        // the window holds at most CATCH_UP_WINDOW_MAX_IDS rows
        CATCH_UP_MAX_MESSAGES + 1 + (from < lastId ? CATCH_UP_WINDOW_MAX_IDS : 0),
      ),
    );
    const missed = sizes.filter((size) => size.id > lastId);
    const bytes = missed.reduce((sum, size) => sum + size.bytes, 0);
    const pages = Math.max(1, Math.ceil(sizes.length / CATCH_UP_PAGE));
    const whole =
      missed.length <= CATCH_UP_MAX_MESSAGES &&
      bytes <= CATCH_UP_MAX_BYTES &&
      (await budget.afford(pages));
    if (!whole) {
      yield* this.newest(userId, untilId, true, budget);
      return;
    }
    const ids = sizes.map((size) => size.id);
    if (ids.length === 0) {
      yield { messages: [], after: from, done: true, more: false };
      return;
    }
    let after = from;
    for (let start = 0; start < ids.length; start += CATCH_UP_PAGE) {
      const end = ids[Math.min(start + CATCH_UP_PAGE, ids.length) - 1];
      const rows = await this.catchUpRead(() =>
        this.messages.findVisibleAfter(userId, after, CATCH_UP_PAGE),
      );
      yield {
        messages: rows.filter((row) => row.id <= end),
        after,
        done: start + CATCH_UP_PAGE >= ids.length,
        more: false,
      };
      after = end;
    }
  }

  /**
   * The recent messages plus every private one waiting for the user, oldest first: the waiting
   * ones a page at a time, each page with the recent ones up to its last id.
   */
  private async *newest(
    userId: number,
    untilId: number,
    cut: boolean,
    budget: CatchUpBudget,
  ): AsyncGenerator<CatchUpPage> {
    const connect = await this.connectHistory.ask(userId);
    const more = cut || connect.older;
    let recent = connect.recent.filter((m) => m.id <= untilId);
    let waiting = connect.waiting;
    let after = 0;
    for (;;) {
      const inRange = waiting.filter((m) => m.id <= untilId);
      const full = waiting.length >= CATCH_UP_PAGE && inRange.length === waiting.length;
      const upTo = full ? inRange[inRange.length - 1].id : untilId;
      const byId = new Map(
        [...inRange, ...recent.filter((m) => m.id <= upTo)].map((m) => [m.id, m]),
      );
      recent = recent.filter((m) => m.id > upTo);
      // These go out whatever the budget: they waited for the user.
      await budget.charge(1);
      yield {
        messages: [...byId.values()].sort((a, b) => a.id - b.id),
        after,
        done: !full,
        more,
      };
      if (!full) return;
      after = upTo;
      waiting = await this.catchUpRead(() =>
        this.messages.findUndeliveredAfter(userId, upTo, CATCH_UP_PAGE),
      );
    }
  }

  /**
   * For each user: the newest RECENT_ON_CONNECT messages they may see (group and their private
   * ones), newest first, and the private ones that waited for them, oldest first.
   */
  private async readConnectHistory(userIds: number[]): Promise<ConnectHistory[]> {
    const unique = [...new Set(userIds)];
    const [group, privates, waiting] = await this.catchUpRead(() =>
      Promise.all([
        this.messages.findGroupPage(undefined, RECENT_ON_CONNECT),
        this.messages.findRecentPrivateOfEach(unique, RECENT_ON_CONNECT),
        this.messages.findUndeliveredOfEach(unique, CATCH_UP_PAGE),
      ]),
    );
    const privateOf = new Map(unique.map((id) => [id, new Map<number, StoredMessage>()]));
    for (const m of privates) {
      if (m.senderId !== null) privateOf.get(m.senderId)?.set(m.id, m);
      if (m.recipientId !== null) privateOf.get(m.recipientId)?.set(m.id, m);
    }
    const waitingFor = new Map(unique.map((id) => [id, [] as StoredMessage[]]));
    for (const m of waiting) if (m.recipientId !== null) waitingFor.get(m.recipientId)?.push(m);
    return userIds.map((id) => {
      const candidates = [...group, ...(privateOf.get(id)?.values() ?? [])];
      const recent = candidates.sort((a, b) => b.id - a.id).slice(0, RECENT_ON_CONNECT);
      const older = candidates.length >= RECENT_ON_CONNECT;
      return { recent, waiting: waitingFor.get(id) ?? [], older };
    });
  }

  /** A read of a catch-up (or of a connect's history), timed as chat_db_query_duration_seconds. */
  private catchUpRead<T>(read: () => Promise<T>): Promise<T> {
    return this.metrics.timeQuery('catch_up', read);
  }

  /** The private messages that waited for user `userId`, ids in (afterId, upToId], were sent to them. */
  markDelivered(userId: number, afterId: number, upToId: number): Promise<void> {
    return this.messages.markDelivered(userId, afterId, upToId);
  }
}
