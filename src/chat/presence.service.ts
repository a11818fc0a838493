import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { chatConfig } from './chat.config.js';
import { DeliveryService } from './delivery.service.js';

/** While changes keep coming, the whole list still goes out at least this often per client that takes it. */
const MAX_WAIT_MS_PER_FULL_LIST_CLIENT = 1;
/** Newcomers within this window get the list in one broadcast, encoded once. */
const NEWCOMER_WINDOW_MS = 5;

/**
 * Who is online: a count of open connections per user (the only one: SocketLimits adds and
 * removes them, at the handshake and when the socket goes), so a user with several tabs is listed
 * once. A newcomer gets the whole list at once (sendListTo). Changes are coalesced and go out
 * PRESENCE_FLUSH_MS after the last one: to clients that asked for changes (our page) only who
 * came and who left, so a crowd of N joining costs each of them about N names in all; to the
 * others (the original protocol) the whole list. Whole lists cost (clients x list length) each
 * time, so while changes keep coming they go out at most every max(PRESENCE_FLUSH_MS, 1 ms per
 * client taking them): bytes per second stay linear in the number of users. The original sent
 * the whole list to everyone on every join: quadratic.
 */
@Injectable()
export class PresenceService implements OnModuleDestroy {
  private readonly connections = new Map<string, number>();
  private snapshot: string[] | null = [];
  private flushTimer: NodeJS.Timeout | null = null;
  /** When the first change not yet broadcast happened. */
  private pendingSince = 0;
  /** Users whose status changed since the last broadcast. */
  private readonly changedSince = new Set<string>();
  private fullListClients = 0;
  private newcomers: string[] = [];
  private newcomerTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly delivery: DeliveryService,
    @Inject(chatConfig.KEY) private readonly config: ConfigType<typeof chatConfig>,
  ) {}

  /** Records one more connection of this user; `fullLists`: it takes whole lists, not changes. */
  add(username: string, fullLists = true): void {
    if (fullLists) this.fullListClients += 1;
    const count = this.connections.get(username) ?? 0;
    this.connections.set(username, count + 1);
    if (count === 0) this.changed(username);
  }

  /** Records that one connection of this user closed. */
  remove(username: string, fullLists = true): void {
    if (fullLists) this.fullListClients -= 1;
    const count = this.connections.get(username) ?? 0;
    if (count <= 1) {
      if (this.connections.delete(username)) this.changed(username);
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

  /** This user's open connections (SocketLimits caps them). */
  connectionsOf(username: string): number {
    return this.connections.get(username) ?? 0;
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

  private changed(username: string): void {
    this.snapshot = null;
    this.changedSince.add(username);
    const now = Date.now();
    if (this.flushTimer === null) this.pendingSince = now;
    else clearTimeout(this.flushTimer);
    const quiet = this.config.presenceFlushMs;
    const maxWait = Math.max(quiet, this.fullListClients * MAX_WAIT_MS_PER_FULL_LIST_CLIENT);
    const at = Math.min(now + quiet, this.pendingSince + maxWait);
    this.flushTimer = setTimeout(() => this.flush(), Math.max(0, at - now));
  }

  private flush(): void {
    this.flushTimer = null;
    // Everyone whose status changed since the last update, as it is now, even if it is back to
    // what it was: a newcomer's list, taken between two updates, may have caught them in between.
    const online: string[] = [];
    const offline: string[] = [];
    for (const username of this.changedSince) {
      (this.connections.has(username) ? online : offline).push(username);
    }
    this.changedSince.clear();
    this.delivery.presenceToEveryone(this.list(), { online, offline });
  }
}
