import { randomBytes } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { messagesConfig } from './messages.config.js';
import { DatabaseWatchdog } from '../database/database-watchdog.service.js';
import { type Message, SERVER_CID_PREFIX } from './message.entity.js';
import { MessagesRepository, type NewMessage } from './messages.repository.js';

export interface MessageDraft {
  sender: string;
  /** The sender's account; the recipient's is found by name when the message is stored. */
  senderId: number;
  /** null: the group. */
  recipient: string | null;
  text: string;
  /** The sender's own id for the message; a retry with the same one is stored once. */
  cid?: string;
  /** false for a private message whose recipient is offline. */
  delivered: boolean;
}

export interface StoredMessage {
  id: number;
  sender: string;
  /** null once the sender's account is removed. */
  senderId: number | null;
  recipient: string | null;
  /** null for the group, and once the recipient's account is removed. */
  recipientId: number | null;
  text: string;
  /** The sender's client id, when they gave one. */
  cid?: string;
  ts: number;
  delivered: boolean;
}

export interface SaveResult {
  message: StoredMessage;
  /** The same sender had already stored this cid: nothing was stored or delivered again. */
  duplicate: boolean;
}

interface Pending {
  draft: MessageDraft;
  ts: number;
  resolve(result: SaveResult): void;
  reject(error: unknown): void;
}

type StoredListener = (messages: StoredMessage[]) => void;

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

  constructor(
    private readonly messages: MessagesRepository,
    @Inject(messagesConfig.KEY) private readonly config: ConfigType<typeof messagesConfig>,
    private readonly watchdog: DatabaseWatchdog,
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
    try {
      const stored = await this.write(batch);
      // Acknowledge only what went into the database the server opened (not a removed file).
      this.watchdog.assertPresentNow();
      this.settle(batch, stored);
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
  }

  /** Writes the batch; returns the stored row for each pending message (by sender and cid). */
  private async write(batch: Pending[]): Promise<Map<string, { row: Message; fresh: boolean }>> {
    const clientCids = batch.flatMap((p) => (p.draft.cid ? [p.draft.cid] : []));
    const result = new Map<string, { row: Message; fresh: boolean }>();
    for (const row of await this.messages.findByCids(clientCids)) {
      if (row.senderId !== null) result.set(key(row.senderId, row.cid), { row, fresh: false });
    }
    const rows = new Map<string, NewMessage>();
    for (const pending of batch) {
      pending.draft.cid ??= SERVER_CID_PREFIX + randomBytes(12).toString('base64url');
      const k = key(pending.draft.senderId, pending.draft.cid);
      if (result.has(k) || rows.has(k)) continue;
      const { sender, senderId, recipient, text, cid, delivered } = pending.draft;
      rows.set(k, { sender, senderId, recipient, text, cid, delivered, createdAt: pending.ts });
    }
    await this.messages.insertSkippingDuplicates([...rows.values()]);
    for (const row of await this.messages.findByCids([...rows.values()].map((r) => r.cid))) {
      if (row.senderId === null) continue;
      const k = key(row.senderId, row.cid);
      if (rows.has(k)) result.set(k, { row, fresh: true });
    }
    return result;
  }

  private settle(batch: Pending[], stored: Map<string, { row: Message; fresh: boolean }>): void {
    const fresh = [...stored.values()]
      .filter((s) => s.fresh)
      .map((s) => toStored(s.row))
      .sort((a, b) => a.id - b.id);
    if (fresh.length > 0) this.lastStored = Math.max(this.lastStored, fresh[fresh.length - 1].id);
    for (const listener of this.listeners) {
      try {
        listener(fresh);
      } catch (error) {
        this.logger.error(error instanceof Error ? error.stack : String(error));
      }
    }
    const told = new Set<string>();
    for (const pending of batch) {
      const k = key(pending.draft.senderId, pending.draft.cid!);
      const found = stored.get(k);
      if (!found) {
        pending.reject(new Error('message was not stored'));
        continue;
      }
      // Only the first of several identical retries in one batch counts as new.
      const duplicate = !found.fresh || told.has(k);
      told.add(k);
      pending.resolve({ message: toStored(found.row), duplicate });
    }
  }
}

/** A retry is the same sender account with the same client id (see UQ_messages_cid_sender_id). */
function key(senderId: number, cid: string): string {
  return `${senderId}\u0000${cid}`;
}

export function toStored(row: Message): StoredMessage {
  return {
    id: row.id,
    sender: row.sender,
    senderId: row.senderId,
    recipient: row.recipient,
    recipientId: row.recipientId,
    text: row.text,
    cid: row.cid.startsWith(SERVER_CID_PREFIX) ? undefined : row.cid,
    ts: row.createdAt,
    delivered: row.delivered,
  };
}
