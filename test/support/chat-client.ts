import { io, Socket } from 'socket.io-client';
import request from 'supertest';

export async function login(url: string, username: string, password: string): Promise<string> {
  const res = await request(url).post('/login').send({ username, password }).expect(200);
  return res.headers.authorization;
}

/** A connected socket.io client; rejects with the connect_error message when refused. */
export function connect(
  url: string,
  options: {
    token?: string;
    /** The last message id seen, for reconnect catch-up. */
    lastId?: number;
    /** 'changes': online-list changes instead of whole lists. */
    presence?: string;
    query?: Record<string, string>;
    headers?: Record<string, string>;
  } = {},
  beforeConnect?: (socket: Socket) => void,
): Promise<Socket> {
  const socket = io(url, {
    auth: {
      ...(options.token === undefined ? {} : { token: options.token }),
      ...(options.lastId === undefined ? {} : { lastId: options.lastId }),
      ...(options.presence === undefined ? {} : { presence: options.presence }),
    },
    query: options.query,
    extraHeaders: options.headers,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  beforeConnect?.(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Collects every payload of the given events, from the moment it is called. */
export function record(socket: Socket, ...events: string[]): Record<string, unknown[]> {
  const seen: Record<string, unknown[]> = {};
  for (const event of events) {
    seen[event] = [];
    socket.on(event, (payload: unknown) => seen[event].push(payload));
  }
  return seen;
}

/** The next payload of `event` that matches, or a rejection after `timeoutMs`. */
export function next<T = unknown>(
  socket: Socket,
  event: string,
  match: (payload: T) => boolean = () => true,
  timeoutMs = 10000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`no "${event}" event within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (payload: T) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(payload);
    };
    socket.on(event, listener);
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Like connect(), with the given events recorded from before the connection opens. */
export async function connectRecording(
  url: string,
  options: Parameters<typeof connect>[1],
  ...events: string[]
): Promise<{ socket: Socket; seen: Record<string, unknown[]> }> {
  let seen: Record<string, unknown[]> = {};
  const socket = await connect(url, options, (s) => (seen = record(s, ...events)));
  return { socket, seen };
}

/** Resolves once `check` passes (polling), or rejects after `timeoutMs`. */
export async function until(
  check: () => boolean,
  timeoutMs = 10000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(10);
  }
}
