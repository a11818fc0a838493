import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { io, type Socket } from 'socket.io-client';
import request from 'supertest';
import {
  connect,
  connectRecording,
  login,
  next,
  record,
  sleep,
  until,
} from './support/chat-client.js';
import { SpecSockets } from './support/spec-sockets.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { forgeToken } from './support/tokens.js';

type Msg = { user: string; data: unknown; to?: string; ts?: number };

describe('chat gateway', () => {
  let t: TestApp;
  const sockets = new SpecSockets(() => t.url);
  const { tokens } = sockets;

  const join = (name: string) => sockets.join(name);

  beforeAll(async () => {
    t = await startTestApp();
    await sockets.addUsers(t, ['alice', 'bob', 'carol']);
  });
  afterEach(() => sockets.closeAll());
  afterAll(() => t.close());

  describe('handshake', () => {
    it('refuses a socket without a token: connect_error "unauthorized", no event reaches it', async () => {
      const alice = await join('alice');
      const seen = record(alice, '1');
      const unauthorized = { message: 'unauthorized', data: { code: 'unauthorized' } };
      await expect(connect(t.url)).rejects.toMatchObject(unauthorized);
      await expect(connect(t.url, { token: 'garbage' })).rejects.toMatchObject(unauthorized);
      await sleep(100);
      // The refused sockets never counted as online.
      const lists = seen['1'] as Msg[];
      for (const list of lists) expect(list.data).toEqual(['alice']);
    });

    it('refuses an expired token with "token expired"', async () => {
      const now = Math.floor(Date.now() / 1000);
      const token = forgeToken(t.config.jwtSecret, { iat: now - 60, exp: now - 10 });
      await expect(connect(t.url, { token })).rejects.toMatchObject({
        message: 'token expired',
        data: { code: 'token_expired' },
      });
    });

    it('accepts the token from auth, from the query (original clients) and from a header', async () => {
      await join('alice');
      const viaQuery = await connect(t.url, { query: { token: tokens.bob } });
      sockets.track(viaQuery);
      const viaHeader = await connect(t.url, {
        headers: { Authorization: `Bearer ${tokens.carol}` },
      });
      sockets.track(viaHeader);
      expect(viaQuery.connected && viaHeader.connected).toBe(true);
    });

    it('greets a newcomer and sends it the online list at once', async () => {
      const socket = io_pending(t.url, tokens.alice);
      const [welcome, list] = await Promise.all([next<Msg>(socket, '2'), next<Msg>(socket, '1')]);
      sockets.track(socket);
      expect(welcome).toEqual({ user: '', data: expect.stringContaining('alice') });
      expect(list).toEqual({ user: '', data: ['alice'] });
    });
  });

  describe('group chat', () => {
    it('reaches everyone online, with the sender from the token', async () => {
      const [alice, bob, carol] = await Promise.all([join('alice'), join('bob'), join('carol')]);
      const got = Promise.all(
        [alice, bob, carol].map((s) => next<Msg>(s, '2', (m) => m.user !== '')),
      );
      alice.emit('2', { data: '  hello all  ', user: 'mallory' });
      for (const message of await got) {
        // Text arrives exactly as sent; only its sender comes from the token.
        expect(message).toEqual({
          user: 'alice',
          data: '  hello all  ',
          id: expect.any(Number),
          ts: expect.any(Number),
        });
      }
    });

    it('answers an acknowledgement callback', async () => {
      const alice = await join('alice');
      const ack = await alice.timeout(10000).emitWithAck('2', { data: 'with ack' });
      expect(ack).toEqual({ status: 1, id: expect.any(Number), ts: expect.any(Number) });
    });

    it('works with the numeric event codes the original client emits', async () => {
      const alice = await join('alice');
      const got = next<Msg>(alice, '2', (m) => m.user === 'alice');
      (alice as unknown as { emit(event: number, payload: unknown): void }).emit(2, {
        data: 'numeric',
      });
      expect((await got).data).toBe('numeric');
    });
  });

  describe('private chat', () => {
    it('reaches every tab of the recipient and echoes to the sender, nobody else', async () => {
      const [alice, bob1, bob2, carol] = await Promise.all([
        join('alice'),
        join('bob'),
        join('bob'),
        join('carol'),
      ]);
      const carolSeen = record(carol, '3');
      const got = Promise.all([alice, bob1, bob2].map((s) => next<Msg>(s, '3')));
      alice.emit('3', { data: 'psst', to: 'bob' });
      for (const message of await got) {
        expect(message).toEqual({
          user: 'alice',
          data: 'psst',
          to: 'bob',
          id: expect.any(Number),
          ts: expect.any(Number),
        });
      }
      await sleep(150);
      expect(carolSeen['3']).toEqual([]);
    });

    it('answers event 0 for a recipient who does not exist', async () => {
      const alice = await join('alice');
      const error = next<Msg>(alice, '0');
      alice.emit('3', { data: 'anyone?', to: 'nobody' });
      expect(await error).toEqual({ user: '', data: 'no such user', code: 'no_such_user' });
    });
  });

  describe('presence', () => {
    it('lists each user once however many tabs are open, and drops them after the last tab', async () => {
      const alice = await join('alice');
      const listed = next<Msg>(alice, '1', (m) => (m.data as string[]).length === 2);
      const bob1 = await join('bob');
      const bob2 = await join('bob');
      expect(((await listed).data as string[]).sort()).toEqual(['alice', 'bob']);
      await sleep(80);
      const latest = record(alice, '1');
      bob1.close();
      await sleep(100);
      // bob still has a tab: no change, so no new list
      for (const list of latest['1'] as Msg[])
        expect((list.data as string[]).sort()).toEqual(['alice', 'bob']);
      const gone = next<Msg>(alice, '1', (m) => !(m.data as string[]).includes('bob'));
      bob2.close();
      expect((await gone).data).toEqual(['alice']);
    });

    it('coalesces a burst of joins into few broadcasts', async () => {
      const alice = await join('alice');
      await sleep(60);
      const seen = record(alice, '1');
      await Promise.all(Array.from({ length: 30 }, (_, i) => join(i % 2 ? 'bob' : 'carol')));
      await sleep(150);
      const lists = seen['1'] as Msg[];
      expect(lists.length).toBeGreaterThanOrEqual(1);
      expect(lists.length).toBeLessThanOrEqual(3);
      expect((lists.at(-1)!.data as string[]).sort()).toEqual(['alice', 'bob', 'carol']);
    });
  });

  describe('presence changes (auth.presence: changes)', () => {
    it('sends the whole list once, then only who came and who left; whole lists to the others', async () => {
      const original = await join('alice');
      const originalSeen = record(original, '1', 'presence');
      const { socket: carol, seen } = await connectRecording(
        t.url,
        { token: tokens.carol, presence: 'changes' },
        '1',
        'presence',
      );
      sockets.track(carol);
      await until(() => (seen['1'] as Msg[]).length === 1);
      expect(((seen['1'] as Msg[])[0].data as string[]).sort()).toEqual(['alice', 'carol']);
      // The update that tells of carol herself comes PRESENCE_FLUSH_MS after her handshake.
      await until(() =>
        (seen.presence as { online: string[] }[]).some((p) => p.online.includes('carol')),
      );
      seen.presence.length = 0;
      const bob = await join('bob');
      await until(() => seen.presence.length === 1);
      expect(seen.presence).toEqual([{ online: ['bob'], offline: [] }]);
      bob.close();
      await until(() => seen.presence.length === 2);
      expect(seen.presence[1]).toEqual({ online: [], offline: ['bob'] });
      await sleep(100);
      // carol never got another whole list; alice (the original protocol) got them and no changes
      expect(seen['1']).toHaveLength(1);
      expect(originalSeen.presence).toEqual([]);
      expect(((originalSeen['1'] as Msg[]).at(-1)!.data as string[]).sort()).toEqual([
        'alice',
        'carol',
      ]);
    });
  });

  describe('malformed events', () => {
    const cases: [string, string, unknown][] = [
      ['null on event 2', '2', null],
      ['a number on event 2', '2', 42],
      ['a string on event 2', '2', 'hello'],
      ['an array on event 2', '2', ['hello']],
      ['a number as text', '2', { data: 42 }],
      ['an object as text', '2', { data: { toString: 'x' } }],
      ['empty text', '2', { data: '' }],
      ['blank text', '2', { data: '   \n ' }],
      ['invisible text', '2', { data: '\u200B' }],
      ['invisible private text', '3', { data: '\u200B\u2060 ', to: 'bob' }],
      ['60 KB of text', '2', { data: 'x'.repeat(60_000) }],
      ['2,001 characters', '2', { data: 'y'.repeat(2001) }],
      ['a lone surrogate (not storable as UTF-8)', '2', { data: 'ok\ud83d' }],
      ['null on event 3', '3', null],
      ['no recipient', '3', { data: 'hi' }],
      ['a number recipient', '3', { data: 'hi', to: 7 }],
      ['an array recipient', '3', { data: 'hi', to: ['bob'] }],
      ['empty private text', '3', { data: '', to: 'bob' }],
    ];

    it.each(cases)('answers %s with event 0 to the sender only', async (_name, event, payload) => {
      const [alice, bob] = await Promise.all([join('alice'), join('bob')]);
      const bobSeen = record(bob, '0', '2', '3');
      const error = next<Msg>(alice, '0');
      alice.emit(event, payload);
      const refusal = await error;
      expect(refusal.user).toBe('');
      expect(typeof refusal.data).toBe('string');
      expect(refusal.data).not.toMatch(/internal/);
      await sleep(50);
      expect(bobSeen).toEqual({ '0': [], '2': [], '3': [] });
      // ...and the server goes on serving.
      const after = next<Msg>(bob, '2', (m) => m.data === 'still here');
      alice.emit('2', { data: 'still here' });
      await after;
    });

    it('answers a refused event through the acknowledgement too', async () => {
      const alice = await join('alice');
      const ack = await alice.timeout(10000).emitWithAck('2', { data: '' });
      expect(ack).toEqual({ status: 0, code: 'validation_failed', msg: 'data must not be empty' });
    });

    it('accepts exactly 2,000 characters, emoji and Chinese included', async () => {
      const alice = await join('alice');
      const text = '你好😀'.repeat(500);
      const got = next<Msg>(alice, '2', (m) => m.user === 'alice');
      alice.emit('2', { data: text });
      expect((await got).data).toBe(text);
    });
  });

  describe('token expiry', () => {
    let short: TestApp;
    beforeAll(async () => {
      short = await startTestApp({ JWT_EXPIRES_IN: '2s' });
      await short.createUser('dora', 'dora-password');
    });
    afterAll(() => short.close());

    it('tells a socket its token expired and disconnects it at that moment', async () => {
      const token = await login(short.url, 'dora', 'dora-password');
      const socket = await connect(short.url, { token });
      sockets.track(socket);
      // Expiry counts the 5 s of clock tolerance that token checks allow.
      const told = next<Msg>(socket, '0', () => true, 9000);
      const closed = new Promise<string>((resolve) => socket.on('disconnect', resolve));
      expect(await told).toEqual({ user: '', data: 'token expired', code: 'token_expired' });
      expect(await closed).toBe('io server disconnect');
      await request(short.url).get('/userinfo').set('Authorization', token).expect(401);
    }, 15000);
  });

  it('drops a socket that sends more than 64 KB at once, and carries on serving', async () => {
    const [alice, bob] = await Promise.all([join('alice'), join('bob')]);
    const closed = new Promise<string>((resolve) => alice.on('disconnect', resolve));
    alice.emit('2', { data: 'x'.repeat(100_000) });
    expect(await closed).toMatch(/transport close|transport error/);
    const after = next<Msg>(bob, '2', (m) => m.data === 'still serving');
    bob.emit('2', { data: 'still serving' });
    await after;
  });
});

/** A socket whose first events are caught from the start (connect() would miss them). */
function io_pending(url: string, token: string): Socket {
  return io(url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
}
