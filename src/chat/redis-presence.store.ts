import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { increment } from '../common/counts.js';
import { RedisService } from '../redis/redis.service.js';
import {
  ADD_SCRIPT,
  HEARTBEAT_SCRIPT,
  REAP_SCRIPT,
  REMOVE_SCRIPT,
  RESTORE_SCRIPT,
} from './presence-scripts.js';
import type { CapReached, CountedSocket, PresenceStore, SocketCaps } from './presence-store.js';
import { DEAD_AFTER_MS, HEARTBEAT_MS, REAP_CHECK_MS } from './presence-timing.js';

const PREFIX = '{chat:presence}';
const CHANNEL = `${PREFIX}:changes`;
const SOCKETS_PREFIX = `${PREFIX}:sockets:`;
const SHARED_KEYS = ['users', 'ips', 'online', 'seq', 'instances'].map((k) => `${PREFIX}:${k}`);

const NO_CAP = Number.MAX_SAFE_INTEGER;

type Script = (...args: (string | number)[]) => Promise<unknown>;
const SCRIPTS = {
  presenceAdd: ADD_SCRIPT,
  presenceRemove: REMOVE_SCRIPT,
  presenceHeartbeat: HEARTBEAT_SCRIPT,
  presenceReap: REAP_SCRIPT,
  presenceRestore: RESTORE_SCRIPT,
};

/**
 * Cluster mode: every open socket is an entry in Redis owned by its instance (see
 * presence-scripts.ts), counted and capped there at the handshake, atomically. Each instance
 * keeps a copy of who is online, kept up to date by the changes the scripts publish (in the
 * order they happened) and read again in full at every heartbeat, in case one was missed; the
 * lists it sends come from that copy, to its own sockets only. Every instance also removes the
 * entries of instances whose heartbeat stopped (a crash): idempotent, in one script.
 *
 * Redis away: this instance counts its own sockets alone (its caps, its users coming and going
 * in its list), and when Redis returns it writes its entries again in one script (`restore`).
 */
export class RedisPresenceStore implements PresenceStore {
  readonly everyInstanceLearns = true;
  private readonly logger = new Logger('Presence');
  private readonly client: Redis;
  private readonly scripts: Record<keyof typeof SCRIPTS, Script>;
  private readonly keys: string[];
  /** This instance's sockets, the truth its entries in Redis are rewritten from. */
  private readonly mine = new Map<string, CountedSocket>();
  private readonly localUsers = new Map<string, number>();
  private readonly localIps = new Map<string, number>();
  /** Who is online across the cluster, in order of arrival: this instance's copy. */
  private readonly online = new Set<string>();
  private listener: (username: string) => void = () => {};
  /** Whether the entries in Redis may differ from `mine` (a command failed, or Redis restarted). */
  private dirty = true;
  /** Incremented at each rewrite of the entries. */
  private restores = 0;
  /** Changes received while the whole list is being read, replayed over it. */
  private duringResync: string[] | null = null;
  private resyncAgain = false;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly redis: RedisService) {
    this.client = redis.client!;
    this.keys = [...SHARED_KEYS, SOCKETS_PREFIX + redis.instanceId];
    for (const [name, lua] of Object.entries(SCRIPTS))
      this.client.defineCommand(name, { numberOfKeys: this.keys.length, lua });
    const commands = this.client as unknown as Record<string, Script>;
    this.scripts = Object.fromEntries(
      Object.keys(SCRIPTS).map((name) => [
        name,
        (...args: (string | number)[]) =>
          commands[name].call(this.client, ...this.keys, CHANNEL, SOCKETS_PREFIX, ...args),
      ]),
    ) as Record<keyof typeof SCRIPTS, Script>;
  }

  async start(): Promise<void> {
    const subscriber = this.redis.connect('presence', { offlineQueue: true });
    subscriber.on('message', (_channel: string, message: string) => this.received(message));
    // (Re)connected: changes published meanwhile were missed. Once subscribed (this SUBSCRIBE
    // is answered after ioredis's own resubscription), read the whole list.
    subscriber.on('ready', () => {
      subscriber.subscribe(CHANNEL).then(
        () => this.resync(),
        (error: unknown) => this.failed(error),
      );
    });
    this.redis.onReady(() => void this.recover());
    this.every(HEARTBEAT_MS, () => void this.heartbeat());
    this.every(REAP_CHECK_MS, () => void this.reap());
    await this.whenReady(2000);
    await this.recover();
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    if (!this.redis.ready) return;
    // Leaving: this instance's users go at once, not after DEAD_AFTER_MS.
    await this.scripts
      .presenceRestore(this.redis.instanceId, 'leave', '[]')
      .catch((error: unknown) => this.failed(error));
  }

  async add(socket: CountedSocket, caps?: SocketCaps): Promise<CapReached | null> {
    const { perUser, perIp } = caps ?? { perUser: NO_CAP, perIp: NO_CAP };
    if (this.redis.ready) {
      // Counted here first: a rewrite of the entries sent meanwhile must include it.
      this.track(socket, 1);
      const restores = this.restores;
      try {
        const result = await this.scripts.presenceAdd(
          socket.id,
          socket.username,
          socket.ip ?? '',
          perUser,
          perIp,
        );
        if (result === 'ok') {
          // Online from now on, without waiting for the change to come back (a newcomer's own
          // list must show them). Safe: a `-name` still on its way would be followed by the
          // `+name` this script published.
          this.set(socket.username, true);
          return null;
        }
        this.track(socket, -1);
        // A rewrite sent while the script ran may have written it: take it out again.
        if (this.restores !== restores) void this.removeFromRedis(socket.id);
        return result as CapReached;
      } catch (error) {
        this.track(socket, -1);
        this.failed(error);
      }
    }
    // Redis away: this instance's own counts decide.
    if ((this.localUsers.get(socket.username) ?? 0) >= perUser) return 'user';
    if (socket.ip !== undefined && (this.localIps.get(socket.ip) ?? 0) >= perIp) return 'ip';
    this.dirty = true;
    if (this.track(socket, 1) === 1) this.set(socket.username, true);
    return null;
  }

  remove(socket: CountedSocket): void {
    if (!this.mine.has(socket.id)) return;
    const left = this.track(socket, -1);
    if (this.redis.ready) {
      void this.removeFromRedis(socket.id);
    } else {
      this.dirty = true;
      if (left === 0) this.set(socket.username, false);
    }
  }

  isOnline(username: string): boolean {
    return this.online.has(username);
  }

  usernames(): string[] {
    return [...this.online];
  }

  onChange(listener: (username: string) => void): void {
    this.listener = listener;
  }

  /** Counts a socket of this instance in or out; the user's sockets here after that. */
  private track(socket: CountedSocket, by: 1 | -1): number {
    if (by > 0) this.mine.set(socket.id, socket);
    else this.mine.delete(socket.id);
    if (socket.ip !== undefined) increment(this.localIps, socket.ip, by);
    increment(this.localUsers, socket.username, by);
    return this.localUsers.get(socket.username) ?? 0;
  }

  private async removeFromRedis(socketId: string): Promise<void> {
    await this.scripts.presenceRemove(socketId).catch((error: unknown) => this.failed(error));
  }

  /** `+name` / `-name`, in the order the changes happened in Redis. */
  private received(message: string): void {
    this.duringResync?.push(message);
    this.set(message.slice(1), message[0] === '+');
  }

  private set(username: string, online: boolean): void {
    if (online === this.online.has(username)) return;
    if (online) this.online.add(username);
    else this.online.delete(username);
    this.listener(username);
  }

  /** Redis is (back) up: rewrite this instance's entries if they may be wrong, and read the list. */
  private async recover(): Promise<void> {
    if (!this.redis.ready) return;
    try {
      if (this.dirty) await this.restore();
      await this.resync();
    } catch (error) {
      this.failed(error);
    }
  }

  private async restore(): Promise<void> {
    this.dirty = false;
    this.restores += 1;
    const entries = [...this.mine.values()].map((s) => [s.id, s.username, s.ip ?? '']);
    try {
      await this.scripts.presenceRestore(this.redis.instanceId, 'join', JSON.stringify(entries));
    } catch (error) {
      this.dirty = true;
      throw error;
    }
  }

  /** Replaces the copy of the list with Redis's, then replays the changes that came meanwhile. */
  private async resync(): Promise<void> {
    if (!this.redis.ready) return;
    // One at a time; one asked for meanwhile runs after it (it may know of a newer state).
    if (this.duringResync) {
      this.resyncAgain = true;
      return;
    }
    this.duringResync = [];
    this.resyncAgain = false;
    try {
      const usernames = await this.client.zrange(SHARED_KEYS[2], 0, -1);
      const replay = this.duringResync;
      const now = new Set(usernames);
      const changed = [...this.online].filter((u) => !now.has(u));
      changed.push(...usernames.filter((u) => !this.online.has(u)));
      this.online.clear();
      for (const username of usernames) this.online.add(username);
      for (const message of replay) this.set(message.slice(1), message[0] === '+');
      for (const username of changed) this.listener(username);
    } catch (error) {
      this.failed(error);
    } finally {
      this.duringResync = null;
    }
    if (this.resyncAgain) await this.resync();
  }

  private async heartbeat(): Promise<void> {
    if (!this.redis.ready) return;
    try {
      // Unknown: Redis restarted, or this instance was silent so long that it was taken for dead.
      if ((await this.scripts.presenceHeartbeat(this.redis.instanceId)) === 0) this.dirty = true;
      await this.recover();
    } catch (error) {
      this.failed(error);
    }
  }

  private async reap(): Promise<void> {
    if (!this.redis.ready) return;
    try {
      const dead = await this.scripts.presenceReap(DEAD_AFTER_MS);
      if (typeof dead === 'number' && dead > 0)
        this.logger.warn(`removed the sockets of ${dead} instance(s) without heartbeat`);
    } catch (error) {
      this.failed(error);
    }
  }

  private failed(error: unknown): void {
    if (!this.dirty)
      this.logger.warn(
        `Redis: ${error instanceof Error ? error.message : String(error)}; counting this instance's sockets alone until it answers`,
      );
    this.dirty = true;
  }

  private every(ms: number, task: () => void): void {
    const timer = setInterval(task, ms);
    timer.unref();
    this.timers.push(timer);
  }

  private async whenReady(timeoutMs: number): Promise<void> {
    if (this.redis.ready) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.client.once('ready', () => (clearTimeout(timer), resolve()));
    });
  }
}
