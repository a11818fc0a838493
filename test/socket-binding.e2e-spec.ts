import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Server } from 'socket.io';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import type { ChatSocket } from '../src/chat/chat-socket.js';
import { type AckResponse, HANDLED_EVENTS } from '../src/protocol/index.js';
import { next, until } from './support/chat-client.js';
import { SpecSockets } from './support/spec-sockets.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The gateway's handlers are bound to each socket by ChatIoAdapter with plain listeners (no rxjs
 * pipeline per socket): its guards, validation pipe and error filter still answer every event,
 * with its code, through the acknowledgement and event 0; refusals and errors never stop a
 * socket's later events; and nothing stays bound once a socket is gone.
 */
describe('socket handlers through ChatIoAdapter', () => {
  let t: TestApp;
  const sockets = new SpecSockets(() => t.url);
  const { tokens } = sockets;

  const join = (name: string) => sockets.join(name);
  const send = (socket: Socket, event: string, payload: unknown) =>
    socket.timeout(10_000).emitWithAck(event, payload) as Promise<AckResponse>;
  const server = () => t.app.get<Server>(Server);
  const serverSocketOf = (name: string) =>
    [...(server().sockets.sockets.values() as Iterable<ChatSocket>)].find(
      (s) => s.data.user?.username === name,
    )!;

  beforeAll(async () => {
    // A small budget, so the rate-limit guard is reached; the other users send little.
    t = await startTestApp({ SOCKET_RATE_CAPACITY: '5', SOCKET_RATE_PER_SEC: '1' });
    await sockets.addUsers(t, ['alice', 'bob', 'carol', 'rapid', 'late']);
  }, 60_000);
  afterEach(() => sockets.closeAll());
  afterAll(() => t.close());

  it('acknowledges a message with the id it was stored under', async () => {
    const alice = await join('alice');
    const ack = await send(alice, '2', { data: 'stored first', cid: 'binding-1' });
    expect(ack).toEqual({ status: 1, id: expect.any(Number), ts: expect.any(Number) });
    const res = await request(t.url)
      .get('/messages?with=all')
      .set('Authorization', tokens.alice)
      .expect(200);
    const stored = (res.body as { data: { id: number; data: string; cid?: string }[] }).data;
    expect(stored.find((m) => m.cid === 'binding-1')).toMatchObject({
      id: (ack as { id: number }).id,
      data: 'stored first',
    });
  });

  it('the validation pipe and the error filter answer with codes; later events still work', async () => {
    const bob = await join('bob');
    const told = next<{ code: string }>(bob, '0');
    expect(await send(bob, '2', { data: '   ' })).toEqual({
      status: 0,
      code: 'validation_failed',
      msg: 'data must not be empty',
    });
    expect(await told).toMatchObject({ user: '', code: 'validation_failed' });
    // An exception inside the handler itself (a message to nobody).
    const toldAgain = next<{ code: string }>(bob, '0');
    expect(await send(bob, '3', { data: 'hello?', to: 'nobody' })).toMatchObject({
      status: 0,
      code: 'no_such_user',
    });
    expect(await toldAgain).toEqual({ user: '', data: 'no such user', code: 'no_such_user' });
    expect(await send(bob, '2', { data: 'still here' })).toMatchObject({ status: 1 });
  });

  it('the auth guard refuses a socket whose token expired since it connected', async () => {
    const carol = await join('carol');
    // As if the token had expired a minute ago without its timer having fired yet: only the
    // guard stands between the event and the handler.
    const user = serverSocketOf('carol').data.user;
    user.exp = Math.floor(Date.now() / 1000) - 60;
    const told = next<{ code: string }>(carol, '0');
    expect(await send(carol, '2', { data: 'too late' })).toEqual({
      status: 0,
      code: 'token_expired',
      msg: 'token expired',
    });
    expect(await told).toMatchObject({ code: 'token_expired' });
  });

  it('the rate-limit guard refuses with rate_limited, and the socket goes on afterwards', async () => {
    const rapid = await join('rapid');
    const acks = await Promise.all(
      // Twelve: even across the end of a window (5 s of 5 events) some are refused.
      Array.from({ length: 12 }, (_, i) => send(rapid, '2', { data: `burst ${i}` })),
    );
    expect(acks.filter((a) => a.status === 1).length).toBeGreaterThan(0);
    const refused = acks.filter((a) => a.status === 0);
    expect(refused.length).toBeGreaterThan(0);
    for (const ack of refused)
      expect(ack).toEqual({ status: 0, code: 'rate_limited', msg: 'rate limited', retry: true });
    // Once the window has passed, the same socket's next message is stored.
    let after: AckResponse = refused[0];
    for (let i = 0; i < 30 && after.status === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      after = await send(rapid, '2', { data: 'after the burst' });
    }
    expect(after).toMatchObject({ status: 1 });
  });

  it('binds each handled event once, and leaves nothing bound after the disconnect', async () => {
    const late = await join('late');
    const onServer = serverSocketOf('late');
    for (const event of HANDLED_EVENTS) expect(onServer.listenerCount(event)).toBe(1);
    late.close();
    await until(() => !onServer.connected, 10_000, 'the server-side disconnect');
    for (const event of HANDLED_EVENTS) expect(onServer.listenerCount(event)).toBe(0);
  });
});
