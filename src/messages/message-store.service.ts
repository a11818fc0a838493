import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { messagesConfig } from './messages.config.js';
import { DatabaseWatchdog } from '../database/database-watchdog.service.js';
import { ChatMetrics } from '../metrics/chat-metrics.js';
import { SERVER_CID_PREFIX } from './message.entity.js';
import { MessagesRepository, type NewMessage } from './messages.repository.js';
import {
  type MessageDraft,
  retryKey,
  type SaveResult,
  type StoredMessage,
} from './stored-message.js';

interface Pending {
  draft: MessageDraft;
  ts: number;
  resolve(result: SaveResult): void;
  reject(error: unknown): void;
}

type StoredListener = (messages: StoredMessage[]) => void;

/** A message of a batch as found after the INSERT; `fresh`: this batch stored it. */
interface Stored {
  message: StoredMessage;
  fresh: boolean;
}

/**
 * Stores messages in batches: whatever arrives while a batch is being written goes into the
 * next one, as one multi-row INSERT (group commit), so a burst costs a few round trips instead
 * of one each. Batches are written one after another, so ids grow in the order messages are
 * told to listeners, and a message is told (`onStored`) only once it is stored.
 */
@Injectable()
export class MessageStore implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(MessageStore.name);
  private queue: Pending[] = [];
  private writing: Promise<void> = Promise.resolve();
  private flushScheduled = false;
  private readonly listeners: StoredListener[] = [];
  private lastStored = 0;
  private readonly cidPrefix = randomBytes(12).toString('base64url');
  private cidCount = 0;

  constructor(
    private readonly messages: MessagesRepository,
    @Inject(messagesConfig.KEY) private readonly config: ConfigType<typeof messagesConfig>,
    private readonly watchdog: DatabaseWatchdog,
    @Optional() private readonly metrics: ChatMetrics = new ChatMetrics(),
  ) {}

  async onModuleInit(): Promise<void> {
    this.lastStored = await this.messages.lastId();
  }

  /**
   * Every message with an id up to this one has been stored and told to the listeners; any
   * later one will be told to them. A reader that starts listening first and then reads up to
   * here misses nothing and sees nothing twice.
   */
  get lastStoredId(): number {
    return this.lastStored;
  }

  /**
   * Up to which id a socket that just joined its rooms is sent the past (the rest reaches it
   * live). One writer: lastStoredId, exactly. Several (cluster mode): other instances store and
   * deliver too, so the highest id in the database now; a message stored before this read
   * whose delivery reaches the socket after the join comes twice, and the client drops the
   * second by id. One stored after the read is delivered after it, so live.
   */
  async catchUpUntil(): Promise<number> {
    if (!this.config.severalWriters) return this.lastStored;
    return Math.max(this.lastStored, await this.messages.lastId());
  }

  onStored(listener: StoredListener): void {
    this.listeners.push(listener);
  }

  save(draft: MessageDraft): Promise<SaveResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ draft, ts: Date.now(), resolve, reject });
      this.scheduleFlush();
    });
  }

  /** Stores everything queued so far (used when stopping). */
  async drain(): Promise<void> {
    while (this.queue.length > 0) {
      this.writing = this.writing.then(() => this.flush());
      await this.writing;
    }
    await this.writing;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.drain();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    const run = () => {
      if (!this.flushScheduled) return;
      this.flushScheduled = false;
      this.writing = this.writing.then(() => this.flush());
    };
    // Without a window, everything read from the sockets in this turn of the loop is one batch.
    if (this.config.messageBatchMs > 0) setTimeout(run, this.config.messageBatchMs);
    else setImmediate(run);
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, this.config.messageBatchMax);
    if (this.queue.length > 0) this.scheduleFlush();
    if (batch.length === 0) return;
    this.metrics.storeBatchSize.observe(batch.length);
    try {
      const stored = await this.metrics.timeQuery('store_batch', () => this.write(batch));
      // Acknowledge only what went into the database the server opened (not a removed file).
      this.watchdog.assertPresentNow();
      this.settle(batch, stored);
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
  }

  /** Writes the batch; returns the stored message for each pending one (by retryKey). */
  private async write(batch: Pending[]): Promise<Map<string, Stored>> {
    const result = new Map<string, Stored>();
    // With RETURNING, the INSERT itself says which rows were already stored (it skips them): no
    // SELECT before it. Without, what is stored already is read first.
    const returning = await this.messages.insertTellsWhatItStored();
    if (!returning) {
      const clientCids = batch.flatMap((p) => (p.draft.cid ? [p.draft.cid] : []));
      for (const [k, message] of await this.messages.findByCids(clientCids)) {
        result.set(k, { message, fresh: false });
      }
    }
    const rows = new Map<string, NewMessage>();
    for (const pending of batch) {
      pending.draft.cid ??= this.serverCid();
      const k = retryKey(pending.draft.senderId, pending.draft.cid);
      if (result.has(k) || rows.has(k)) continue;
      const { sender, senderId, recipient, text, cid, delivered } = pending.draft;
      rows.set(k, { sender, senderId, recipient, text, cid, delivered, createdAt: pending.ts });
    }
    const inserted = await this.messages.insertSkippingDuplicates([...rows.values()]);
    // Without RETURNING, what is found now was stored by this batch: true while this process is
    // the only writer (batches are written one after another).
    if (!inserted) {
      for (const [k, message] of await this.messages.findByCids(
        [...rows.values()].map((r) => r.cid),
      )) {
        if (rows.has(k)) result.set(k, { message, fresh: true });
      }
      return result;
    }
    // The INSERT said what it stored: only those rows are fresh (told to the listeners, so
    // delivered). A row it skipped was stored before: a retry of an earlier message, or (several
    // writers) one that reached another instance at the same instant, which delivers it; here
    // it is only acknowledged.
    for (const [k, message] of inserted) result.set(k, { message, fresh: true });
    const lost = [...rows].filter(([k]) => !result.has(k)).map(([, row]) => row.cid);
    for (const [k, message] of await this.messages.findByCids(lost)) {
      if (rows.has(k) && !result.has(k)) result.set(k, { message, fresh: false });
    }
    return result;
  }

  /**
   * A client id for a message sent without one (the unique key needs one): a random prefix of
   * this process and a counter, unique per sender across restarts and instances, and cheaper
   * than random bytes per message.
   */
  private serverCid(): string {
    return SERVER_CID_PREFIX + this.cidPrefix + (this.cidCount++).toString(36);
  }

  /** A message this batch stored: by kind, and the time from its receipt to its delivery. */
  private counted(draft: MessageDraft, deliveredAt: number): void {
    this.metrics.countStored(draft.recipient === null ? 'group' : 'private');
    if (draft.receivedAt !== undefined)
      this.metrics.deliverySeconds.observe((deliveredAt - draft.receivedAt) / 1000);
  }

  private settle(batch: Pending[], stored: Map<string, Stored>): void {
    const fresh = [...stored.values()]
      .filter((s) => s.fresh)
      .map((s) => s.message)
      .sort((a, b) => a.id - b.id);
    if (fresh.length > 0) this.lastStored = Math.max(this.lastStored, fresh[fresh.length - 1].id);
    for (const listener of this.listeners) {
      try {
        listener(fresh);
      } catch (error) {
        this.logger.error(error instanceof Error ? error.stack : String(error));
      }
    }
    // Delivery is the listeners' (DeliveryService emits as it is told, synchronously).
    const deliveredAt = performance.now();
    const told = new Set<string>();
    for (const pending of batch) {
      const k = retryKey(pending.draft.senderId, pending.draft.cid!);
      const found = stored.get(k);
      if (!found) {
        pending.reject(new Error('message was not stored'));
        continue;
      }
      // Only the first of several identical retries in one batch counts as new.
      const duplicate = !found.fresh || told.has(k);
      told.add(k);
      if (!duplicate) this.counted(pending.draft, deliveredAt);
      pending.resolve({ message: found.message, duplicate });
    }
  }
}
