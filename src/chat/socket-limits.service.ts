import { Injectable } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { AppConfig } from '../config/app-config.js';
import { TokenBuckets } from '../common/token-buckets.js';

export const LIMIT_ERRORS = {
  rateLimited: 'rate limited',
  tooManySockets: 'too many connections for this user',
  tooManySocketsFromIp: 'too many connections from this address',
  abuse: 'disconnected: too many refused messages',
  slow: 'disconnected: not reading messages',
} as const;

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

  constructor(private readonly config: AppConfig) {
    const { socketEventBurst, socketEventsPerSecond } = config.limits;
    this.events = new TokenBuckets(socketEventBurst, socketEventsPerSecond);
  }

  /** At the handshake: null if the socket may open (and is counted), else the reason. */
  open(username: string, ip: string): string | null {
    const { socketsPerUser, socketsPerIp } = this.config.limits;
    if ((this.socketsByUser.get(username) ?? 0) >= socketsPerUser)
      return LIMIT_ERRORS.tooManySockets;
    if ((this.socketsByIp.get(ip) ?? 0) >= socketsPerIp) return LIMIT_ERRORS.tooManySocketsFromIp;
    increment(this.socketsByUser, username, 1);
    increment(this.socketsByIp, ip, 1);
    return null;
  }

  closed(username: string, ip: string): void {
    increment(this.socketsByUser, username, -1);
    increment(this.socketsByIp, ip, -1);
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
      socket.emit('0', { user: '', data: LIMIT_ERRORS.abuse });
      socket.disconnect(true);
    }
    return false;
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
