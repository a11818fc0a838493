import { Inject, Injectable } from '@nestjs/common';
import type { Socket } from 'socket.io';
import type { ConfigType } from '@nestjs/config';
import { chatConfig } from './chat.config.js';
import { bucketWindow, createRateLimiter, type RateLimit } from '../common/rate-limiters.js';
import { ChatEvent, CONNECTION_GONE, HANDLED_EVENTS, LIMIT_ERRORS } from '../protocol/index.js';
import { errorNotice } from './error-notice.js';
import { ChatMetrics } from '../metrics/chat-metrics.js';
import type { CapReached, CountedSocket } from './presence-store.js';
import { PresenceService } from './presence.service.js';
import { RedisService } from '../redis/redis.service.js';
import { pendingBytes } from './socket-buffers.js';

/** What a socket is told when a cap refuses it. */
const CAP_ERRORS: Record<CapReached, string> = {
  user: LIMIT_ERRORS.tooManySockets,
  ip: LIMIT_ERRORS.tooManySocketsFromIp,
};

/** An engine.io packet, as its `packet` event gives it. */
type Packet = { type: string; data?: unknown };

/** The first character of socket.io's ACK and BINARY_ACK packets. */
const ACK_PACKET_TYPES = new Set(['3', '6']);

/**
 * Limits on what one user or one address may do over sockets: events per user (one budget for
 * all of the user's tabs, on every instance: createRateLimiter), open sockets per user and per address, refused
 * events in a row before a socket is dropped, and bytes waiting to be sent to a socket that
 * does not read them. Open sockets are counted once, per user and per address, by PresenceService
 * (online is having one open; across instances in cluster mode): a socket counts there from the
 * moment it is let in here until it goes.
 */
@Injectable()
export class SocketLimits {
  private readonly events: RateLimit;
  private readonly refusedInARow = new WeakMap<Socket, number>();
  /** Counted sockets, each with what frees its place. */
  private readonly counted = new WeakMap<Socket, () => void>();

  constructor(
    @Inject(chatConfig.KEY) private readonly config: ConfigType<typeof chatConfig>,
    private readonly presence: PresenceService,
    redis: RedisService,
    private readonly metrics: ChatMetrics,
  ) {
    const { socketEventBurst, socketEventsPerSecond } = config.limits;
    this.events = createRateLimiter(redis.client, {
      keyPrefix: 'events',
      ...bucketWindow(socketEventBurst, socketEventsPerSecond),
    });
  }

  /**
   * At the handshake: null if the socket may open (and is counted, online, until it goes away,
   * and so is its every event), else the reason. `fullLists`: it takes whole online lists, not
   * changes. The closures made here share one context: nothing else is kept per socket.
   */
  async open(socket: Socket, username: string, fullLists: boolean): Promise<string | null> {
    // Gone during the token check: socket.io drops it without a `disconnect` event.
    if (socket.conn.readyState !== 'open') return CONNECTION_GONE;
    const counted: CountedSocket = { id: socket.id, username, ip: socket.handshake.address };
    const { socketsPerUser: perUser, socketsPerIp: perIp } = this.config.limits;
    const refused = await this.presence.admit(counted, fullLists, { perUser, perIp });
    if (refused) return CAP_ERRORS[refused];
    // Acknowledgements are no events (no middleware sees them) and the server asks for none:
    // socket.io drops them, but each one a client sends counts all the same, until the
    // socket's place is released.
    const countAcks = ({ type, data }: Packet) => {
      if (type === 'message' && typeof data === 'string' && ACK_PACKET_TYPES.has(data[0]))
        void this.allowEvent(socket, username);
    };
    const release = () => {
      if (!this.counted.delete(socket)) return;
      socket.conn.off('close', release);
      socket.conn.off('packet', countAcks);
      this.presence.release(counted, fullLists);
    };
    this.counted.set(socket, release);
    // Gone while it was counted (cluster mode asks Redis): no `disconnect` event will come.
    if (socket.conn.readyState !== 'open') {
      release();
      return CONNECTION_GONE;
    }
    // A connection that closes before the socket is connected gets no `disconnect` event either.
    socket.conn.on('close', release);
    // Every event counts. WsRateLimitGuard counts (and answers) those the gateway handles; this
    // middleware counts the rest (unknown names, the server's own events sent back, `error`,
    // which socket.io itself listens to), which no guard sees: over the rate they are dropped,
    // and they add to the abuse count.
    socket.use(([event], next) => {
      if (HANDLED_EVENTS.has(String(event))) return next();
      void this.allowEvent(socket, username).then((allowed) => allowed && next());
    });
    socket.conn.on('packet', countAcks);
    return null;
  }

  /** Frees the socket's place, its user's connection in PresenceService with it (once, however often it is called). */
  closed(socket: Socket): void {
    this.counted.get(socket)?.();
  }

  /**
   * Whether this event may be handled. Over the rate it is refused; a socket that keeps sending
   * after SOCKET_ABUSE_LIMIT refusals in a row is disconnected. In cluster mode this asks Redis,
   * one round trip per event (about 0.1 ms on a local network; at most its 1 s command timeout,
   * then the instance's own count decides: createRateLimiter). Refusals in a row are counted per
   * socket, here: they are about this connection, not the user.
   */
  async allowEvent(socket: Socket, username: string): Promise<boolean> {
    if ((await this.events.take(username)) === 0) {
      this.refusedInARow.delete(socket);
      return true;
    }
    const refused = (this.refusedInARow.get(socket) ?? 0) + 1;
    this.refusedInARow.set(socket, refused);
    this.metrics.refused('rate_limit');
    if (refused >= this.config.limits.socketAbuseLimit) {
      this.metrics.refused('abuse');
      socket.emit(ChatEvent.Error, errorNotice(LIMIT_ERRORS.abuse));
      socket.disconnect(true);
    }
    return false;
  }

  /**
   * A catch-up costs one event per `history` page it sends: true (and taken) when the user's
   * budget holds all `pages`; otherwise none is taken and the catch-up is cut to the newest page.
   */
  affordCatchUp(username: string, pages: number): Promise<boolean> {
    return this.events.takeAll(username, pages);
  }

  /** Pages that go out anyway (the newest, and messages that waited) take what budget is left. */
  async chargeCatchUp(username: string, pages: number): Promise<void> {
    await this.events.takeUpTo(username, pages);
  }

  /** Whether more than SLOW_CONSUMER_BYTES wait to be written to this socket. */
  isSlowConsumer(socket: Socket): boolean {
    return pendingBytes(socket) > this.config.limits.slowConsumerBytes;
  }
}
