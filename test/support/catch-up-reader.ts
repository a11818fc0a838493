import { io, type Socket } from 'socket.io-client';
import type { AckResponse, HistoryPage, ResyncNotice } from '../../src/protocol/index.js';
import { sleep, until } from './chat-client.js';

/**
 * A reader that does what our page does (public/js/chat/socket.js, docs/protocol.md "Catch-up"):
 * it shows each message once (by id), moves the `lastId` it reconnects with only to the `until`
 * of a catch-up's done page and then with each live message, and answers `resync` with a
 * `catch-up` from its lastId, or the notice's if smaller (one at a time: a resync during a
 * catch-up asks again after it).
 */
export class CatchUpReader {
  lastId: number | undefined;
  socket: Socket | undefined;
  /** Id → how many times it arrived (before deduplication). */
  readonly arrivals = new Map<number, number>();
  /** Catch-ups completed (done pages), connects and resyncs alike. */
  catchUps = 0;
  resyncs = 0;
  private caughtUp = false;
  /** A resync came during a catch-up: from this id, once it is done. */
  private again: number | undefined;

  constructor(private readonly token: string) {}

  /** What the reader shows: each id once. */
  get shown(): Set<number> {
    return new Set(this.arrivals.keys());
  }

  /** Connects (with its lastId) and waits for the catch-up's done page. */
  async connect(url: string, timeoutMs = 30_000): Promise<void> {
    this.caughtUp = false;
    this.again = undefined;
    const socket = io(url, {
      auth: { token: this.token, ...(this.lastId === undefined ? {} : { lastId: this.lastId }) },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    this.socket = socket;
    const before = this.catchUps;
    socket.on('history', (page: HistoryPage) => this.history(socket, page));
    socket.on('2', (message: { id?: number }) => this.live(message));
    socket.on('3', (message: { id?: number }) => this.live(message));
    socket.on('resync', (notice: ResyncNotice) => this.resync(socket, notice.lastId));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error) => (socket.close(), reject(error)));
    });
    await until(() => this.catchUps > before, timeoutMs, 'the catch-up');
  }

  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }

  private history(socket: Socket, page: HistoryPage): void {
    if (socket !== this.socket || this.caughtUp) return;
    for (const item of page.data) this.arrived(item.id);
    if (page.done !== true) return;
    this.caughtUp = true;
    this.lastId = Math.max(this.lastId ?? 0, page.until);
    this.catchUps++;
    if (this.again !== undefined) this.resync(socket, this.again, false);
  }

  private live(message: { id?: number }): void {
    if (typeof message.id !== 'number') return; // the welcome line
    this.arrived(message.id);
    if (this.caughtUp) this.lastId = Math.max(this.lastId ?? 0, message.id);
  }

  private resync(socket: Socket, from: number, counted = true): void {
    if (socket !== this.socket) return;
    if (counted) this.resyncs++;
    if (!this.caughtUp) {
      this.again = Math.min(this.again ?? from, from);
      return;
    }
    this.again = undefined;
    if (this.lastId === undefined) return;
    this.caughtUp = false;
    socket.emit('catch-up', { lastId: Math.min(this.lastId, from) });
  }

  private arrived(id: number): void {
    this.arrivals.set(id, (this.arrivals.get(id) ?? 0) + 1);
  }
}

/**
 * Sends `count` group messages from `socket` as fast as the server acknowledges them, `inFlight`
 * at a time; resolves with the acknowledged ids.
 */
export async function blast(
  socket: Socket,
  count: number,
  prefix: string,
  inFlight = 16,
): Promise<number[]> {
  const ids: number[] = [];
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const n = next++;
      const ack = (await socket
        .timeout(60_000)
        .emitWithAck('2', { data: `${prefix} ${n}`, cid: `${prefix}-${n}` })) as AckResponse;
      if (ack.status !== 1) throw new Error(`message ${n} refused: ${ack.msg}`);
      ids.push(ack.id);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return ids;
}

export { sleep };
