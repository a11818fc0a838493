import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { DeliveryService } from './delivery.service.js';

/** While changes keep coming, the list still goes out at least this often per user online. */
const MAX_WAIT_MS_PER_USER = 1;
/** Newcomers within this window get the list in one broadcast, encoded once. */
const NEWCOMER_WINDOW_MS = 5;

/**
 * Who is online: a count of open connections per user, so a user with several tabs is listed
 * once. Changes are coalesced: the list goes to everyone PRESENCE_FLUSH_MS after the last change,
 * and while changes keep coming (a crowd joining) at most every max(PRESENCE_FLUSH_MS, 1 ms per
 * user online): each broadcast costs (users online x list length), so spacing them out in
 * proportion to the users online keeps the bytes sent per second linear in the number of users
 * (the original sent the whole list to everyone on every join: quadratic). A newcomer gets the
 * current list at once from the gateway.
 */
@Injectable()
export class PresenceService implements OnModuleDestroy {
  private readonly connections = new Map<string, number>();
  private snapshot: string[] | null = [];
  private flushTimer: NodeJS.Timeout | null = null;
  /** When the first change not yet broadcast happened. */
  private pendingSince = 0;
  private newcomers: string[] = [];
  private newcomerTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly delivery: DeliveryService,
    private readonly config: AppConfig,
  ) {}

  /** Records one more connection of this user. */
  add(username: string): void {
    const count = this.connections.get(username) ?? 0;
    this.connections.set(username, count + 1);
    if (count === 0) this.changed();
  }

  /** Records that one connection of this user closed. */
  remove(username: string): void {
    const count = this.connections.get(username) ?? 0;
    if (count <= 1) {
      if (this.connections.delete(username)) this.changed();
    } else {
      this.connections.set(username, count - 1);
    }
  }

  /**
   * Sends the current list to a socket that just connected, within NEWCOMER_WINDOW_MS: a crowd
   * connecting at once shares one encoding of the list instead of one each.
   */
  sendListTo(socketId: string): void {
    this.newcomers.push(socketId);
    this.newcomerTimer ??= setTimeout(() => {
      this.newcomerTimer = null;
      const socketIds = this.newcomers;
      this.newcomers = [];
      this.delivery.onlineListToSockets(socketIds, this.list());
    }, NEWCOMER_WINDOW_MS);
  }

  isOnline(username: string): boolean {
    return this.connections.has(username);
  }

  /** The online users, each once, in the order they came online. Rebuilt only after a change. */
  list(): string[] {
    this.snapshot ??= [...this.connections.keys()];
    return this.snapshot;
  }

  onModuleDestroy(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.newcomerTimer) clearTimeout(this.newcomerTimer);
  }

  private changed(): void {
    this.snapshot = null;
    const now = Date.now();
    if (this.flushTimer === null) this.pendingSince = now;
    else clearTimeout(this.flushTimer);
    const quiet = this.config.presenceFlushMs;
    const latest =
      this.pendingSince + Math.max(quiet, this.connections.size * MAX_WAIT_MS_PER_USER);
    this.flushTimer = setTimeout(
      () => this.flush(),
      Math.max(0, Math.min(now + quiet, latest) - now),
    );
  }

  private flush(): void {
    this.flushTimer = null;
    this.delivery.onlineListToEveryone(this.list());
  }
}
