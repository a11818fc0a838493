import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import { WebSocket } from 'ws';
import type { AckResponse } from '../src/protocol/index.js';
import { connect, login, next, sleep } from './support/chat-client.js';
import { postFrom } from './support/http-from.js';
import { NO_RATE_LIMITS, startTestApp, type TestApp } from './support/test-app.js';

/** POST /login from a given loopback address (127.0.0.x), to act as another client. */
const loginFrom = (url: string, localAddress: string, body: object) =>
  postFrom(url, '/login', localAddress, body);

describe('rate limits', () => {
  describe('login and register', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({
        ...NO_RATE_LIMITS,
        LOGIN_RATE_PER_IP: '8',
        LOGIN_FAILURES_PER_USER: '3',
      });
      await t.createUser('victim', 'victim-password');
      await t.createUser('other', 'other-password');
    });
    afterAll(() => t.close());

    it('limits failed logins per name and address with 429 and Retry-After, without locking the user out elsewhere', async () => {
      const wrong = { username: 'victim', password: 'guess-guess' };
      for (let i = 0; i < 3; i++)
        expect((await loginFrom(t.url, '127.0.0.2', wrong)).status).toBe(401);
      const limited = await loginFrom(t.url, '127.0.0.2', wrong);
      expect(limited.status).toBe(429);
      expect(Number(limited.retryAfter)).toBeGreaterThan(0);
      expect(limited.body).toEqual({
        status: 0,
        code: 'too_many_attempts',
        msg: expect.stringMatching(/too many/),
      });
      // Even the right password waits at that address: guessing cannot continue there...
      expect(
        (await loginFrom(t.url, '127.0.0.2', { username: 'victim', password: 'victim-password' }))
          .status,
      ).toBe(429);
      // ...but the real user, elsewhere, logs in, and other names are not affected.
      expect(
        (await loginFrom(t.url, '127.0.0.3', { username: 'victim', password: 'victim-password' }))
          .status,
      ).toBe(200);
      expect(
        (await loginFrom(t.url, '127.0.0.2', { username: 'other', password: 'other-password' }))
          .status,
      ).toBe(200);
    });

    it('counts failed logins against the name the lookup uses, however it is spelt', async () => {
      await t.createUser('\u00c5KE', 'ake-password');
      // Latin Å and K; Ångström sign; Kelvin sign; A + combining ring: one account.
      const spellings = ['\u00c5KE', '\u212BKE', '\u00c5\u212AE', 'A\u030AKE'];
      for (const username of spellings.slice(0, 3)) {
        const res = await loginFrom(t.url, '127.0.0.6', { username, password: 'guess-guess' });
        expect(res.status).toBe(401);
      }
      const limited = await loginFrom(t.url, '127.0.0.6', {
        username: spellings[3],
        password: 'guess-guess',
      });
      expect(limited.status).toBe(429);
    });

    it('limits all attempts per address, login and register together', async () => {
      // All at once: the limit is taken on arrival, so slow hashing on a busy machine cannot let
      // the bucket refill (one every 7.5 s) between them.
      const statuses = (
        await Promise.all(
          Array.from({ length: 10 }, () =>
            loginFrom(t.url, '127.0.0.4', { username: 'other', password: 'other-password' }),
          ),
        )
      ).map((res) => res.status);
      expect(statuses.sort()).toEqual([...Array(8).fill(200), 429, 429]);
      // Another address is not affected.
      expect(
        (await loginFrom(t.url, '127.0.0.5', { username: 'other', password: 'other-password' }))
          .status,
      ).toBe(200);
    });

    it('refuses to register past the address limit with 429', async () => {
      // All at once, as above.
      const statuses = (
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            request(t.url)
              .post('/register')
              .send({ username: `new${i}`, password: 'long-enough' }),
          ),
        )
      ).map((res) => res.status);
      expect(statuses.sort()).toEqual([...Array(8).fill(201), 429, 429]);
    });
  });

  describe('sockets', () => {
    let t: TestApp;
    const open: Socket[] = [];
    const tokens: Record<string, string> = {};
    async function join(name: string): Promise<Socket> {
      const socket = await connect(t.url, { token: tokens[name] });
      open.push(socket);
      return socket;
    }

    beforeAll(async () => {
      t = await startTestApp({
        ...NO_RATE_LIMITS,
        SOCKET_RATE_CAPACITY: '5',
        SOCKET_RATE_PER_SEC: '1',
        SOCKET_ABUSE_LIMIT: '10',
        MAX_SOCKETS_PER_USER: '2',
        MAX_SOCKETS_PER_IP: '4',
      });
      for (const name of ['alice', 'bob', 'carol', 'dave']) {
        await t.createUser(name, `${name}-password`);
        tokens[name] = await login(t.url, name, `${name}-password`);
      }
    });
    afterEach(() => {
      for (const socket of open.splice(0)) socket.close();
    });
    afterAll(() => t.close());

    it('refuses events over the rate with "rate limited", for that user only', async () => {
      const [alice, bob] = await Promise.all([join('alice'), join('bob')]);
      const acks = await Promise.all(
        Array.from(
          { length: 8 },
          (_, i) =>
            alice.timeout(3000).emitWithAck('2', { data: `burst ${i}` }) as Promise<AckResponse>,
        ),
      );
      // A burst of 5 events: alice's connect took one for its catch-up (one history page), which
      // may be charged before or after the burst arrives, and a busy machine may refill one.
      const stored = acks.filter((a) => a.status === 1).length;
      expect(stored).toBeGreaterThanOrEqual(4);
      expect(stored).toBeLessThanOrEqual(6);
      expect(acks.filter((a) => a.status === 0)).toEqual(
        Array(8 - stored).fill({
          status: 0,
          code: 'rate_limited',
          msg: 'rate limited',
          retry: true,
        }),
      );
      expect(await bob.timeout(3000).emitWithAck('2', { data: 'bob is fine' })).toMatchObject({
        status: 1,
      });
    });

    it('disconnects a socket that keeps sending far over the rate', async () => {
      const carol = await join('carol');
      const closed = new Promise<string>((resolve) => carol.on('disconnect', resolve));
      const told = next<{ data: string }>(carol, '0', (m) => m.data.startsWith('disconnected'));
      for (let i = 0; i < 30; i++) carol.emit('2', { data: `flood ${i}` });
      expect((await told).data).toMatch(/too many/);
      expect(await closed).toBe('io server disconnect');
    });

    it('caps open sockets per user and per address with a clear connect_error', async () => {
      await sleep(50);
      await join('dave');
      await join('dave');
      await expect(connect(t.url, { token: tokens.dave })).rejects.toThrow(
        'too many connections for this user',
      );
      await join('alice');
      await join('bob');
      await expect(connect(t.url, { token: tokens.carol })).rejects.toThrow(
        'too many connections from this address',
      );
      // A closed socket frees its place.
      open.shift()!.close();
      await sleep(100);
      await join('carol');
    });
  });
});

/**
 * A raw engine.io WebSocket that sends socket.io's connect packet with `token` and closes at
 * once, while the server is still checking the token. Resolves once the connection is closed.
 */
async function abortedHandshake(url: string, token: string): Promise<void> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    // engine.io's open packet ('0{...}') comes first; then socket.io's CONNECT ('40').
    ws.once('message', () => {
      ws.send(`40${JSON.stringify({ token })}`);
      ws.terminate();
    });
    ws.once('close', () => resolve());
  });
}

describe('aborted handshakes', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  // Hashing the passwords takes long on a busy machine.
  beforeAll(async () => {
    t = await startTestApp({
      ...NO_RATE_LIMITS,
      MAX_SOCKETS_PER_USER: '3',
      MAX_SOCKETS_PER_IP: '5',
    });
    for (const name of ['flaky', 'throwaway', 'bystander']) {
      await t.createUser(name, `${name}-password`);
      tokens[name] = await login(t.url, name, `${name}-password`);
    }
  }, 120_000);
  afterAll(() => t.close());

  it('do not keep a connection slot: the user and the address can still connect', async () => {
    // Well beyond both caps: one leaked count per handshake would lock out the user, and two
    // accounts together everyone at this address.
    for (let i = 0; i < 12; i++) {
      await abortedHandshake(t.url, tokens.flaky);
      await abortedHandshake(t.url, tokens.throwaway);
    }
    // Let the server finish the token checks it started for them.
    await sleep(500);
    const sockets: Socket[] = [];
    for (let i = 0; i < 3; i++) sockets.push(await connect(t.url, { token: tokens.flaky }));
    // The caps themselves still hold.
    await expect(connect(t.url, { token: tokens.flaky })).rejects.toThrow(
      'too many connections for this user',
    );
    sockets.push(await connect(t.url, { token: tokens.bystander }));
    sockets.push(await connect(t.url, { token: tokens.throwaway }));
    await expect(connect(t.url, { token: tokens.bystander })).rejects.toThrow(
      'too many connections from this address',
    );
    for (const socket of sockets) socket.close();
  });
});

describe('events without a handler', () => {
  /** Names the server does not handle, and the server's own events sent back to it. */
  const unhandled = ['no-such-event', '0', '1', 'history', 'presence', 'error', 7];
  /** One user per name: the rate is per user. */
  const userFor = (event: string | number) => `u${unhandled.indexOf(event)}`;
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const open: Socket[] = [];
  // Hashing the passwords takes long on a busy machine.
  beforeAll(async () => {
    t = await startTestApp({
      ...NO_RATE_LIMITS,
      SOCKET_RATE_CAPACITY: '5',
      SOCKET_RATE_PER_SEC: '1',
      SOCKET_ABUSE_LIMIT: '20',
    });
    for (const name of [...unhandled.map(userFor), 'bob', 'carol', 'acker']) {
      await t.createUser(name, `${name}-password`);
      tokens[name] = await login(t.url, name, `${name}-password`);
    }
  }, 120_000);
  afterEach(() => {
    for (const socket of open.splice(0)) socket.close();
  });
  afterAll(() => t.close());

  it.each(unhandled)('%p counts against the user rate', async (event) => {
    const socket = await connect(t.url, { token: tokens[userFor(event)] });
    open.push(socket);
    // Twice the burst: even a few refills on a busy machine leave the bucket empty.
    for (let i = 0; i < 10; i++) socket.emit(event as string, 'x');
    expect(await socket.timeout(3000).emitWithAck('2', { data: 'after the burst' })).toEqual({
      status: 0,
      code: 'rate_limited',
      msg: 'rate limited',
      retry: true,
    });
  });

  it('acknowledgements the server never asked for count too', async () => {
    const acker = await connect(t.url, { token: tokens.acker });
    open.push(acker);
    const closed = new Promise<string>((resolve) => acker.on('disconnect', resolve));
    // socket.io-client's own packet(), as a hostile client would send them: ACK is type 3.
    const send = (acker as unknown as { packet(p: object): void }).packet.bind(acker);
    for (let i = 0; i < 10; i++) send({ type: 3, id: 1000 + i, data: ['x'] });
    expect(await acker.timeout(3000).emitWithAck('2', { data: 'after the acks' })).toEqual({
      status: 0,
      code: 'rate_limited',
      msg: 'rate limited',
      retry: true,
    });
    for (let i = 0; i < 100; i++) send({ type: 3, id: 2000 + i, data: ['x'.repeat(1000)] });
    expect(await closed).toBe('io server disconnect');
  });

  it('count towards the abuse limit: a socket flooding them is disconnected', async () => {
    const bob = await connect(t.url, { token: tokens.bob });
    open.push(bob);
    const closed = new Promise<string>((resolve) => bob.on('disconnect', resolve));
    const told = next<{ data: string }>(bob, '0', (m) => m.data.startsWith('disconnected'));
    const filler = 'x'.repeat(1000);
    for (let i = 0; i < 100; i++) bob.emit(unhandled[i % unhandled.length] as string, filler);
    expect((await told).data).toMatch(/too many/);
    expect(await closed).toBe('io server disconnect');
    // Another user is not affected.
    const carol = await connect(t.url, { token: tokens.carol });
    open.push(carol);
    expect(await carol.timeout(3000).emitWithAck('2', { data: 'carol is fine' })).toMatchObject({
      status: 1,
    });
  });
});
