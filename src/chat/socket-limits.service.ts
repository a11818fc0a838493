import { Inject, Injectable } from '@nestjs/common';
import type { Socket } from 'socket.io';
import type { ConfigType } from '@nestjs/config';
import { chatConfig } from './chat.config.js';
import { ERROR_MESSAGES } from '../common/error-codes.js';
import { TokenBuckets } from '../common/token-buckets.js';
import { errorNotice, HANDLED_EVENTS } from './chat.events.js';

export const LIMIT_ERRORS = {
  rateLimited: ERROR_MESSAGES.rate_limited,
  tooManySockets: ERROR_MESSAGES.too_many_sockets,
  tooManySocketsFromIp: ERROR_MESSAGES.too_many_sockets_from_ip,
  abuse: ERROR_MESSAGES.too_many_refusals,
  /** Only logged: the socket is dropped without a word. */
  slow: 'disconnected: not reading messages',
} as const;

/** The first character of socket.io's ACK and BINARY_ACK packets. */
const ACK_PACKET_TYPES = new Set(['3', '6']);

/** Nobody reads it: socket.io ignores a handshake answer for a closed connection. */
const CONNECTION_GONE = 'connection closed';

/**
 * Limits on what one user or one address may do over sockets: events per user (a token
 * bucket shared by all of the user's tabs), open sockets per user and per address, refused
 * events in a row before a socket is dropped, and bytes waiting to be sent to a socket that
 * does not read them.
 */
@Injectable()
export class SocketLimits {
  private readonly events: TokenBuckets;
  private readonly socketsByUser = new Map<string, number>();
  private readonly socketsByIp = new Map<string, number>();
  private readonly refusedInARow = new WeakMap<Socket, number>();
  /** Counted sockets, each with what frees its place. */
  private readonly counted = new WeakMap<Socket, () => void>();

  constructor(@Inject(chatConfig.KEY) private readonly config: ConfigType<typeof chatConfig>) {
    const { socketEventBurst, socketEventsPerSecond } = config.limits;
    this.events = new TokenBuckets(socketEventBurst, socketEventsPerSecond);
  }

  /**
   * At the handshake: null if the socket may open (and is counted until it goes away), else the
   * reason.
   */
  open(socket: Socket, username: string): string | null {
    // Gone during the token check: socket.io drops it without a `disconnect` event.
    if (socket.conn.readyState !== 'open') return CONNECTION_GONE;
    const ip = socket.handshake.address;
    const { socketsPerUser, socketsPerIp } = this.config.limits;
    if ((this.socketsByUser.get(username) ?? 0) >= socketsPerUser)
      return LIMIT_ERRORS.tooManySockets;
    if ((this.socketsByIp.get(ip) ?? 0) >= socketsPerIp) return LIMIT_ERRORS.tooManySocketsFromIp;
    increment(this.socketsByUser, username, 1);
    increment(this.socketsByIp, ip, 1);
    const release = () => {
      if (!this.counted.delete(socket)) return;
      socket.conn.off('close', release);
      increment(this.socketsByUser, username, -1);
      increment(this.socketsByIp, ip, -1);
    };
    this.counted.set(socket, release);
    // A connection that closes before the socket is connected gets no `disconnect` event either.
    socket.conn.once('close', release);
    return null;
  }

  /** Frees the socket's place (once, however often it is called). */
  closed(socket: Socket): void {
    this.counted.get(socket)?.();
  }

  /**
   * Whether this event may be handled. Over the rate it is refused; a socket that keeps sending
   * after SOCKET_ABUSE_LIMIT refusals in a row is disconnected.
   */
  allowEvent(socket: Socket, username: string): boolean {
    if (this.events.take(username) === 0) {
      this.refusedInARow.delete(socket);
      return true;
    }
    const refused = (this.refusedInARow.get(socket) ?? 0) + 1;
    this.refusedInARow.set(socket, refused);
    if (refused >= this.config.limits.socketAbuseLimit) {
      socket.emit('0', errorNotice(LIMIT_ERRORS.abuse));
      socket.disconnect(true);
    }
    return false;
  }

  /**
   * Every event a socket sends counts. WsRateLimitGuard counts (and answers) those the gateway
   * handles; this middleware counts the rest (unknown names, the server's own events sent back,
   * `error`, which socket.io itself listens to), which no guard sees: over the rate they are
   * dropped, and they add to the abuse count.
   */
  countEveryEvent(socket: Socket, username: string): void {
    socket.use(([event], next) => {
      if (HANDLED_EVENTS.has(String(event)) || this.allowEvent(socket, username)) next();
    });
    // Acknowledgements are no events (no middleware sees them) and the server asks for none:
    // socket.io drops them, but each one a client sends counts all the same.
    const countAcks = ({ type, data }: { type: string; data?: unknown }) => {
      if (type === 'message' && typeof data === 'string' && ACK_PACKET_TYPES.has(data[0]))
        this.allowEvent(socket, username);
    };
    socket.conn.on('packet', countAcks);
    socket.once('disconnect', () => socket.conn.off('packet', countAcks));
  }

  /**
   * A catch-up costs one event per `history` page it sends: true (and taken) when the user's
   * budget holds all `pages`; otherwise none is taken and the catch-up is cut to the newest page.
   */
  affordCatchUp(username: string, pages: number): boolean {
    return this.events.takeAll(username, pages);
  }

  /** Pages that go out anyway (the newest, and messages that waited) take what budget is left. */
  chargeCatchUp(username: string, pages: number): void {
    this.events.takeUpTo(username, pages);
  }

  /** Whether more than SLOW_CONSUMER_BYTES wait to be written to this socket. */
  isSlowConsumer(socket: Socket): boolean {
    return pendingBytes(socket) > this.config.limits.slowConsumerBytes;
  }
}

function increment(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
}

/**
 * Closes a socket without waiting to flush what it has not read (a plain disconnect would wait
 * for a drain that never comes), and frees its buffers at once.
 */
export function dropNow(socket: Socket): void {
  socket.disconnect();
  const conn = socket.conn as unknown as {
    close(discard: boolean): void;
    transport?: { socket?: { terminate?: () => void } };
  };
  conn.transport?.socket?.terminate?.();
  conn.close(true);
}

/** Bytes queued by engine.io for this client plus those buffered by its WebSocket. */
export function pendingBytes(socket: Socket): number {
  const conn = socket.conn as unknown as {
    writeBuffer?: { data?: unknown }[];
    transport?: { socket?: { bufferedAmount?: number } };
  };
  let bytes = conn.transport?.socket?.bufferedAmount ?? 0;
  for (const packet of conn.writeBuffer ?? []) {
    const data = packet.data;
    if (typeof data === 'string') bytes += Buffer.byteLength(data);
    else if (data instanceof Uint8Array || data instanceof ArrayBuffer) bytes += data.byteLength;
  }
  return bytes;
}
