import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { MessageStore } from '../messages/message-store.service.js';
import { ChatEvent } from '../protocol/index.js';
import { RedisService } from '../redis/redis.service.js';
import type { ChatServer } from './chat-socket.js';

/** The Redis adapter's two connections (RedisAdapter's public fields). */
interface AdapterClients {
  pubClient: Redis;
  subClient: Redis;
}

/**
 * Cluster mode: while Redis is away, each instance still stores and delivers to its own sockets,
 * but what other instances deliver does not reach them (and what this one delivers does not
 * reach theirs). Once the adapter's connections are back, every socket of every instance is
 * told to catch up (`resync`, with the highest id stored when Redis went away); our page asks
 * for a catch-up (`catch-up`) and drops by id what it already has. Every instance that saw the
 * outage says so, to everyone: a socket of A misses what B could not publish even if A's own
 * connections never dropped.
 */
@Injectable()
export class ClusterResync implements OnApplicationBootstrap {
  private readonly logger = new Logger(ClusterResync.name);
  /** Set while an adapter connection is down: the highest id stored when it went. */
  private lostAt: Promise<number> | null = null;

  constructor(
    @Inject(Server) private readonly server: ChatServer,
    private readonly redis: RedisService,
    private readonly store: MessageStore,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.redis.enabled) return;
    const { pubClient, subClient } = this.server.of('/').adapter as unknown as AdapterClients;
    const clients = [pubClient, subClient];
    for (const client of clients) {
      client.on('close', () => this.lost());
      client.on('ready', () => {
        if (this.lostAt && clients.every((c) => c.status === 'ready')) this.back(subClient);
      });
    }
  }

  private lost(): void {
    if (this.lostAt) return;
    // Read at once: the catch-up window (CATCH_UP_WINDOW_MS) before it covers the moments
    // between the connection dropping and this read.
    this.lostAt = this.store.catchUpUntil().catch(() => this.store.lastStoredId);
  }

  private back(subscriber: Redis): void {
    const lostAt = this.lostAt!;
    this.lostAt = null;
    // The subscriber subscribes again right after its 'ready': a PING answered after that (on
    // the same connection) means the subscriptions are in place, and what is delivered from now
    // on arrives live.
    setImmediate(() => {
      Promise.all([lostAt, subscriber.ping()]).then(
        ([lastId]) => {
          this.logger.log(`Redis is back: every client catches up from message ${lastId}`);
          this.server.emit(ChatEvent.Resync, { lastId });
        },
        // Gone again: the next 'ready' tries again.
        () => (this.lostAt ??= lostAt),
      );
    });
  }
}
