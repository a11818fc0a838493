import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import type { AckResponse } from '../src/protocol/index.js';
import { connect, login, next } from './support/chat-client.js';
import { SpecSockets } from './support/spec-sockets.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { forgeToken } from './support/tokens.js';

/**
 * Every error carries a stable `code` beside its English message (docs/protocol.md, "Error
 * codes"): HTTP bodies, acknowledgements, event 0 and the handshake's connect_error `data`.
 */
describe('error codes', () => {
  let t: TestApp;
  const sockets = new SpecSockets(() => t.url);
  const { tokens } = sockets;

  const join = (name: string) => sockets.join(name);

  const send = (socket: Socket, event: string, payload: unknown) =>
    socket.timeout(5000).emitWithAck(event, payload) as Promise<AckResponse>;

  beforeAll(async () => {
    t = await startTestApp({
      LOGIN_FAILURES_PER_USER: '2',
      SOCKET_RATE_CAPACITY: '5',
      SOCKET_RATE_PER_SEC: '1',
      MAX_SOCKETS_PER_USER: '2',
    });
    await sockets.addUsers(t, ['alice', 'bob', 'rapid', 'many', 'victim']);
  }, 60_000);
  afterEach(() => sockets.closeAll());
  afterAll(() => t.close());

  describe('HTTP bodies', () => {
    it.each([
      [
        'a wrong password',
        () => request(t.url).post('/login').send({ username: 'alice', password: 'wrong-one' }),
        401,
        'bad_credentials',
      ],
      [
        'a login without a password',
        () => request(t.url).post('/login').send({ username: 'alice' }),
        400,
        'validation_failed',
      ],
      [
        'a name against the rules',
        () => request(t.url).post('/register').send({ username: 'a b', password: 'long-enough' }),
        400,
        'invalid_username',
      ],
      [
        'a name already taken',
        () => request(t.url).post('/register').send({ username: 'bob', password: 'long-enough' }),
        409,
        'username_taken',
      ],
      ['no token', () => request(t.url).get('/userinfo'), 401, 'unauthorized'],
      [
        'a bad conversation name',
        () => request(t.url).get('/messages?with=a%20b').set('Authorization', tokens.alice),
        400,
        'validation_failed',
      ],
      ['an unknown route', () => request(t.url).get('/no-such-thing'), 404, 'not_found'],
      [
        'malformed JSON',
        () =>
          request(t.url)
            .post('/login')
            .set('Content-Type', 'application/json')
            .send('{"username": '),
        400,
        'bad_request',
      ],
      [
        'a body over 16 KB',
        () =>
          request(t.url)
            .post('/login')
            .send({ username: 'alice', password: 'p'.repeat(17 * 1024) }),
        413,
        'payload_too_large',
      ],
      [
        'another origin',
        () => request(t.url).get('/settings').set('Origin', 'https://evil.example'),
        403,
        'origin_refused',
      ],
    ])('%s', async (_what, call, status, code) => {
      const res = await call();
      expect(res.status).toBe(status);
      expect(res.body).toEqual({ status: 0, code, msg: expect.any(String) });
    });

    it('an expired token: token_expired', async () => {
      const now = Math.floor(Date.now() / 1000);
      const token = forgeToken(t.config.jwtSecret, { iat: now - 60, exp: now - 10 });
      const res = await request(t.url).get('/userinfo').set('Authorization', token).expect(401);
      expect(res.body).toEqual({ status: 0, code: 'token_expired', msg: 'token expired' });
    });

    it('too many failed logins: too_many_attempts', async () => {
      const wrong = { username: 'victim', password: 'guess-guess' };
      for (let i = 0; i < 2; i++) await request(t.url).post('/login').send(wrong).expect(401);
      const res = await request(t.url).post('/login').send(wrong).expect(429);
      expect(res.body).toEqual({ status: 0, code: 'too_many_attempts', msg: expect.any(String) });
    });
  });

  describe('socket refusals', () => {
    it('a message to nobody: ack and event 0 with no_such_user', async () => {
      const alice = await join('alice');
      const told = next<{ code: string }>(alice, '0');
      expect(await send(alice, '3', { data: 'hello?', to: 'nobody' })).toEqual({
        status: 0,
        code: 'no_such_user',
        msg: 'no such user',
      });
      expect(await told).toEqual({ user: '', data: 'no such user', code: 'no_such_user' });
    });

    it('an invalid payload: validation_failed', async () => {
      const bob = await join('bob');
      const told = next(bob, '0');
      expect(await send(bob, '2', { data: '   ' })).toEqual({
        status: 0,
        code: 'validation_failed',
        msg: 'data must not be empty',
      });
      expect(await told).toEqual({
        user: '',
        data: 'data must not be empty',
        code: 'validation_failed',
      });
      expect(await send(bob, '2', 'not an object')).toMatchObject({
        status: 0,
        code: 'validation_failed',
      });
    });

    it('over the rate: rate_limited, with retry', async () => {
      const rapid = await join('rapid');
      const acks = await Promise.all(
        Array.from({ length: 12 }, (_, i) => send(rapid, '2', { data: `burst ${i}` })),
      );
      const refused = acks.filter((ack) => ack.status === 0);
      expect(refused.length).toBeGreaterThan(0);
      for (const ack of refused)
        expect(ack).toEqual({ status: 0, code: 'rate_limited', msg: 'rate limited', retry: true });
    });

    it('a stopping server tells every socket server_restarting', async () => {
      const other = await startTestApp();
      try {
        await other.createUser('zoe', 'zoe-password');
        const zoe = await connect(other.url, {
          token: await login(other.url, 'zoe', 'zoe-password'),
        });
        sockets.track(zoe);
        const told = next(zoe, '0', () => true, 10_000);
        const closing = other.close();
        expect(await told).toEqual({
          user: '',
          data: 'server is restarting, send again shortly',
          code: 'server_restarting',
        });
        await closing;
      } catch (error) {
        await other.close().catch(() => undefined);
        throw error;
      }
    });
  });

  describe('refused handshakes: connect_error with data.code', () => {
    it.each([
      ['no token', {}, 'unauthorized', 'unauthorized'],
      ['a bad token', { token: 'garbage' }, 'unauthorized', 'unauthorized'],
      [
        'another origin',
        { headers: { Origin: 'https://evil.example' } },
        'origin not allowed',
        'origin_refused',
      ],
    ])('%s', async (_what, options, message, code) => {
      await expect(connect(t.url, options)).rejects.toMatchObject({ message, data: { code } });
    });

    // An expired token's connect_error (token_expired): test/chat.e2e-spec.ts.

    it('too many sockets for one user: too_many_sockets', async () => {
      await join('many');
      await join('many');
      await expect(connect(t.url, { token: tokens.many })).rejects.toMatchObject({
        message: 'too many connections for this user',
        data: { code: 'too_many_sockets' },
      });
    });
  });
});

describe('error codes without registration', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ REGISTRATION: 'off' });
  });
  afterAll(() => t.close());

  it('registration switched off: registration_closed', async () => {
    const res = await request(t.url)
      .post('/register')
      .send({ username: 'newcomer', password: 'long-enough' })
      .expect(403);
    expect(res.body).toEqual({
      status: 0,
      code: 'registration_closed',
      msg: 'registration is closed',
    });
  });
});
