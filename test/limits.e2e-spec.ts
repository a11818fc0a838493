import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import type { AckResponse } from '../src/chat/chat.events.js';
import { connect, login, next, sleep } from './support/chat-client.js';
import { NO_RATE_LIMITS, startTestApp, type TestApp } from './support/test-app.js';

/** POST /login from a given loopback address (127.0.0.x), to act as another client. */
function loginFrom(
  url: string,
  localAddress: string,
  body: object,
): Promise<{ status: number; retryAfter?: string; body: unknown }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: hostname,
        port,
        path: '/login',
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'],
            body: JSON.parse(text),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

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
      expect(limited.body).toEqual({ status: 0, msg: expect.stringMatching(/too many/) });
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

    it('limits all attempts per address, login and register together', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        const res = await loginFrom(t.url, '127.0.0.4', {
          username: 'other',
          password: 'other-password',
        });
        statuses.push(res.status);
      }
      expect(statuses.slice(0, 8)).toEqual(Array(8).fill(200));
      expect(statuses.slice(8)).toEqual([429, 429]);
      // Another address is not affected.
      expect(
        (await loginFrom(t.url, '127.0.0.5', { username: 'other', password: 'other-password' }))
          .status,
      ).toBe(200);
    });

    it('refuses to register past the address limit with 429', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        const res = await request(t.url)
          .post('/register')
          .send({ username: `new${i}`, password: 'long-enough' });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([...Array(8).fill(201), 429, 429]);
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
      // Of the 5 events, alice's connect took one: its catch-up (one history page).
      expect(acks.filter((a) => a.status === 1)).toHaveLength(4);
      expect(acks.filter((a) => a.status === 0)).toEqual(
        Array(4).fill({ status: 0, msg: 'rate limited', retry: true }),
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
