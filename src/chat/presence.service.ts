import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnModuleDestroy,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { chatConfig } from './chat.config.js';
import { DeliveryService } from './delivery.service.js';
import { MemoryPresenceStore } from './memory-presence.store.js';
import {
  type CapReached,
  type CountedSocket,
  PresenceStore,
  type SocketCaps,
} from './presence-store.js';

/** While changes keep coming, the whole list still goes out at least this often per client that takes it. */
const MAX_WAIT_MS_PER_FULL_LIST_CLIENT = 1;
/** Newcomers within this window get the list in one broadcast, encoded once. */
const NEWCOMER_WINDOW_MS = 5;

/**
 * Who is online: a count of open connections per user and per address (the only one, kept by
 * its PresenceStore: in memory, or in Redis across instances; SocketLimits admits and releases
 * sockets here, at the handshake and when the socket goes), so a user with several tabs is listed
 * once. A newcomer gets the whole list at once (sendListTo). Changes are coalesced and go out
 * PRESENCE_FLUSH_MS after the last one: to clients that asked for changes (our page) only who
 * came and who left, so a crowd of N joining costs each of them about N names in all; to the
 * others (the original protocol) the whole list. Whole lists cost (clients x list length) each
 * time, so while changes keep coming they go out at most every max(PRESENCE_FLUSH_MS, 1 ms per
 * client taking them): bytes per second stay linear in the number of users. The original sent
 * the whole list to everyone on every join: quadratic. In cluster mode every instance learns
 * every change from Redis and tells its own sockets (so each client hears each change once).
 */
@Injectable()
export class PresenceService implements OnModuleInit, BeforeApplicationShutdown, OnModuleDestroy {
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
    @Optional() private readonly store: PresenceStore = new MemoryPresenceStore(),
  ) {
    store.onChange((username) => this.changed(username));
  }

  /**
   * Counts a socket in unless its user or address has reached a cap (null, or that cap);
   * `fullLists`: it takes whole lists, not changes.
   */
  async admit(
    socket: CountedSocket,
    fullLists: boolean,
    caps: SocketCaps,
  ): Promise<CapReached | null> {
    // Before the store counts it: the change it makes is timed with this client counted.
    if (fullLists) this.fullListClients += 1;
    const refused = await this.store.add(socket, caps);
    if (refused && fullLists) this.fullListClients -= 1;
    return refused;
  }

  /** Counts out a socket admitted before. */
  release(socket: CountedSocket, fullLists: boolean): void {
    if (fullLists) this.fullListClients -= 1;
    this.store.remove(socket);
  }

  /** One more connection of this user, without caps or address (single-process tests). */
  add(username: string, fullLists = true): void {
    if (fullLists) this.fullListClients += 1;
    void this.store.add({ id: username, username });
  }

  /** One connection of this user (counted by `add`) closed. */
  remove(username: string, fullLists = true): void {
    if (fullLists) this.fullListClients -= 1;
    this.store.remove({ id: username, username });
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
    return this.store.isOnline(username);
  }

  /** The online users, each once, in the order they came online. Rebuilt only after a change. */
  list(): string[] {
    this.snapshot ??= this.store.usernames();
    return this.snapshot;
  }

  async onModuleInit(): Promise<void> {
    await this.store.start?.();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.store.stop?.();
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
      (this.store.isOnline(username) ? online : offline).push(username);
    }
    this.changedSince.clear();
    this.delivery.presenceToEveryone(
      this.list(),
      { online, offline },
      this.store.everyInstanceLearns,
    );
  }
}
