import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import type { AckResponse as Ack, HistoryItem as Item } from '../src/protocol/index.js';
import {
  connect,
  connectRecording,
  login,
  next,
  record,
  sleep,
  until,
} from './support/chat-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('stored messages', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const open: Socket[] = [];

  async function join(name: string, lastId?: number): Promise<Socket> {
    const socket = await connect(t.url, { token: tokens[name], lastId });
    open.push(socket);
    return socket;
  }
  async function joinRecording(name: string, lastId?: number) {
    const joined = await connectRecording(
      t.url,
      { token: tokens[name], lastId },
      'history',
      '2',
      '3',
      'typing',
    );
    open.push(joined.socket);
    return joined;
  }
  const send = (socket: Socket, event: '2' | '3', payload: object) =>
    socket.timeout(10000).emitWithAck(event, payload) as Promise<Ack>;
  const history = (name: string, query: string) =>
    request(t.url).get(`/messages?${query}`).set('Authorization', tokens[name]);
  const historyItems = (seen: Record<string, unknown[]>) =>
    (seen.history as { user: string; data: Item[] }[]).flatMap((h) => h.data);

  async function start(): Promise<void> {
    for (const name of ['alice', 'bob', 'carol'])
      tokens[name] = await login(t.url, name, `${name}-password`);
  }

  beforeAll(async () => {
    t = await startTestApp();
    for (const name of ['alice', 'bob', 'carol']) await t.createUser(name, `${name}-password`);
    await start();
  });
  afterEach(() => {
    for (const socket of open.splice(0)) socket.close();
  });
  afterAll(() => t.close());

  it('stores text exactly as sent: emoji, Chinese, right-to-left, markup, spaces', async () => {
    const alice = await join('alice');
    const texts = [
      '😀👍🏽 family: 👨‍👩‍👧',
      '你好，世界',
      'مرحبا بالعالم',
      '<script>alert(1)</script>',
      '  two  spaces  ',
      'line\nbreak',
    ];
    const acks: Ack[] = [];
    for (const data of texts) acks.push(await send(alice, '2', { data }));
    const res = await history('alice', 'with=all&limit=200').expect(200);
    const stored = (res.body.data as Item[]).filter((m) =>
      acks.some((a) => a.status === 1 && a.id === m.id),
    );
    expect(stored.map((m) => m.data)).toEqual(texts);
    const rows = await t.database.query<{ text: string }>(
      'SELECT text FROM messages ORDER BY id DESC LIMIT 6',
    );
    expect(rows.map((r) => r.text).reverse()).toEqual(texts);
  });

  it('acknowledges with the stored id, and broadcasts carry id, ts and cid', async () => {
    const [alice, bob] = await Promise.all([join('alice'), join('bob')]);
    const got = next<Item>(bob, '2', (m) => m.data === 'with id');
    const ack = await send(alice, '2', { data: 'with id', cid: 'c-with-id' });
    expect(ack).toEqual({ status: 1, id: expect.any(Number), ts: expect.any(Number) });
    expect(await got).toEqual({
      user: 'alice',
      data: 'with id',
      id: (ack as { id: number }).id,
      ts: (ack as { ts: number }).ts,
      cid: 'c-with-id',
    });
  });

  it('stores and delivers a retried cid once, sequential or in the same batch', async () => {
    const [alice, bob] = await Promise.all([join('alice'), join('bob')]);
    const seen = record(bob, '2');
    const first = await send(alice, '2', { data: 'once', cid: 'retry-1' });
    const again = await send(alice, '2', { data: 'once', cid: 'retry-1' });
    const together = await Promise.all(
      [1, 2, 3].map(() => send(alice, '2', { data: 'twice?', cid: 'retry-2' })),
    );
    expect(again).toEqual(first);
    expect(new Set(together.map((a) => JSON.stringify(a))).size).toBe(1);
    await sleep(100);
    expect((seen['2'] as Item[]).filter((m) => m.cid === 'retry-1')).toHaveLength(1);
    expect((seen['2'] as Item[]).filter((m) => m.cid === 'retry-2')).toHaveLength(1);
    const rows = await t.database.query(
      "SELECT id FROM messages WHERE cid IN ('retry-1', 'retry-2')",
    );
    expect(rows).toHaveLength(2);
    // Another sender may use the same cid: it is their own message.
    const bobsAck = await send(bob, '2', { data: 'mine', cid: 'retry-1' });
    expect(bobsAck.status === 1 && bobsAck.id).not.toBe((first as { id: number }).id);
  });

  it('refuses a malformed cid', async () => {
    const alice = await join('alice');
    expect(await send(alice, '2', { data: 'x', cid: 'has space' })).toEqual({
      status: 0,
      code: 'validation_failed',
      msg: expect.stringMatching(/cid/),
    });
    expect(await send(alice, '2', { data: 'x', cid: 7 })).toEqual({
      status: 0,
      code: 'validation_failed',
      msg: expect.stringMatching(/cid/),
    });
  });

  describe('GET /messages', () => {
    let ids: number[];
    beforeAll(async () => {
      const alice = await join('alice');
      ids = [];
      const acks = await Promise.all(
        Array.from({ length: 250 }, (_, i) => send(alice, '2', { data: `page ${i}` })),
      );
      for (const ack of acks) if (ack.status === 1) ids.push(ack.id);
      ids.sort((a, b) => a - b);
      alice.close();
    });

    it('stored a burst of 250 in order, each acknowledged', () => {
      expect(ids).toHaveLength(250);
    });

    it('pages newest first, each page oldest first, 50 by default', async () => {
      const first = (await history('bob', 'with=all').expect(200)).body.data as Item[];
      expect(first.map((m) => m.id)).toEqual(ids.slice(-50));
      expect(first[0]).toEqual({
        id: ids[200],
        user: 'alice',
        to: null,
        data: 'page 200',
        ts: expect.any(Number),
      });
      const second = (await history('bob', `with=all&before=${first[0].id}`).expect(200)).body
        .data as Item[];
      expect(second.map((m) => m.id)).toEqual(ids.slice(150, 200));
    });

    it('caps limit at 200', async () => {
      const res = await history('bob', 'with=all&limit=500').expect(200);
      expect(res.body.data).toHaveLength(200);
    });

    it('answers an empty page before the oldest message', async () => {
      const oldest = (await history('bob', 'with=all&limit=200&before=' + ids[0]).expect(200)).body
        .data as Item[];
      const before = oldest.length ? oldest[0].id : ids[0];
      const res = await history('bob', `with=all&before=${before}`).expect(200);
      expect(res.body).toEqual({ status: 1, data: [] });
      const one = await history('bob', `with=all&limit=1&before=${ids[1]}`).expect(200);
      expect((one.body.data as Item[]).map((m) => m.id)).toEqual([ids[0]]);
    });

    it.each([
      ['limit=0', 400],
      ['limit=-1', 400],
      ['limit=abc', 400],
      ['before=0', 400],
      ['before=x', 400],
      ['with=bad%20name', 400],
    ])('refuses %s', async (query, status) => {
      const res = await history('bob', `with=all&${query}`).expect(status);
      expect(res.body.status).toBe(0);
    });

    it('needs a valid token', async () => {
      await request(t.url).get('/messages?with=all').expect(401);
    });
  });

  describe('private conversations', () => {
    it('are readable by their two members only', async () => {
      const [alice, bob] = await Promise.all([join('alice'), join('bob')]);
      const ack = await send(alice, '3', { data: 'for bob only', to: 'bob' });
      expect(ack.status).toBe(1);
      const mine = (await history('alice', 'with=bob').expect(200)).body.data as Item[];
      const his = (await history('bob', 'with=alice').expect(200)).body.data as Item[];
      expect(mine.at(-1)).toMatchObject({ user: 'alice', to: 'bob', data: 'for bob only' });
      expect(his).toEqual(mine);
      for (const query of ['with=alice', 'with=bob', 'with=all&limit=200']) {
        const seen = (await history('carol', query).expect(200)).body.data as Item[];
        expect(seen.some((m) => m.data === 'for bob only')).toBe(false);
      }
      bob.close();
    });

    it('reach an offline user on their next connect, after a restart, marked unread once', async () => {
      const alice = await join('alice');
      const ack = await send(alice, '3', { data: 'while you were away', to: 'carol' });
      expect(ack.status).toBe(1);
      alice.close();
      t = await t.restart();
      await start();
      const { seen } = await joinRecording('carol');
      await until(() => seen.history.length > 0);
      const waiting = historyItems(seen).find((m) => m.data === 'while you were away');
      expect(waiting).toMatchObject({
        user: 'alice',
        to: 'carol',
        unread: true,
        id: (ack as { id: number }).id,
      });
      // Delivered now: the next connect shows it as read.
      const again = await joinRecording('carol');
      await until(() => again.seen.history.length > 0);
      expect(
        historyItems(again.seen).find((m) => m.data === 'while you were away'),
      ).not.toHaveProperty('unread');
    }, 20000);

    it('to a name that does not exist are refused and not stored', async () => {
      const alice = await join('alice');
      expect(await send(alice, '3', { data: 'hello?', to: 'nobody' })).toEqual({
        status: 0,
        code: 'no_such_user',
        msg: 'no such user',
      });
      expect(await t.database.query("SELECT id FROM messages WHERE recipient = 'nobody'")).toEqual(
        [],
      );
    });
  });

  it('finds every acknowledged message, in order, after a restart', async () => {
    const alice = await join('alice');
    const acks = await Promise.all(
      Array.from({ length: 120 }, (_, i) => send(alice, '2', { data: `keep ${i}` })),
    );
    alice.close();
    t = await t.restart();
    await start();
    const page = (await history('bob', 'with=all&limit=200').expect(200)).body.data as Item[];
    const kept = page.filter((m) => m.data.startsWith('keep '));
    expect(kept.map((m) => m.id)).toEqual(
      acks.map((a) => (a as { id: number }).id).sort((a, b) => a - b),
    );
    expect(kept.map((m) => m.data)).toEqual(acks.map((_, i) => `keep ${i}`));
  }, 20000);

  it("sends recent history on connect: group and my private messages, not others'", async () => {
    const alice = await join('alice');
    await send(alice, '2', { data: 'recent group' });
    await send(alice, '3', { data: 'recent to bob', to: 'bob' });
    await send(alice, '3', { data: 'recent to carol', to: 'carol' });
    const { seen } = await joinRecording('bob');
    await until(() => seen.history.length > 0);
    const items = historyItems(seen);
    expect(items.length).toBeLessThanOrEqual(100);
    expect(items.map((m) => m.data)).toEqual(
      expect.arrayContaining(['recent group', 'recent to bob']),
    );
    expect(items.some((m) => m.data === 'recent to carol')).toBe(false);
    expect(items.map((m) => m.id)).toEqual([...items.map((m) => m.id)].sort((a, b) => a - b));
  });

  it('gives each of a crowd connecting at once its own history and waiting messages only', async () => {
    const crowd = Array.from({ length: 12 }, (_, i) => `crowd${i}`);
    for (const name of crowd) {
      await t.createUser(name, `${name}-password`);
      tokens[name] = await login(t.url, name, `${name}-password`);
    }
    const alice = await join('alice');
    await send(alice, '2', { data: 'for the crowd' });
    // to each of them, while they are offline: it waits for them
    for (const name of crowd) {
      for (let k = 0; k < 3; k++)
        expect((await send(alice, '3', { data: `${name} #${k}`, to: name })).status).toBe(1);
    }
    const joined = await Promise.all(crowd.map((name) => joinRecording(name)));
    await until(() => joined.every((j) => j.seen.history.length > 0));
    crowd.forEach((name, i) => {
      const items = historyItems(joined[i].seen);
      const privates = items.filter((m) => m.to !== null);
      expect(privates.map((m) => m.data)).toEqual([`${name} #0`, `${name} #1`, `${name} #2`]);
      expect(privates.every((m) => m.unread === true)).toBe(true);
      expect(items.some((m) => m.data === 'for the crowd')).toBe(true);
      expect(items.map((m) => m.id)).toEqual([...items.map((m) => m.id)].sort((a, b) => a - b));
    });
  });

  it('catches a reconnecting client up from its lastId: exactly what it missed', async () => {
    const alice = await join('alice');
    const bob = await join('bob');
    const bobSaw = next<Item>(bob, '2', (m) => m.data === 'seen before the blip');
    const lastSeen = await send(alice, '2', { data: 'seen before the blip' });
    await bobSaw;
    bob.close();
    const missed: number[] = [];
    for (const [event, payload] of [
      ['2', { data: 'missed 1' }],
      ['3', { data: 'missed private', to: 'bob' }],
      ['3', { data: 'not for bob', to: 'carol' }],
      ['2', { data: 'missed 2' }],
    ] as const) {
      const ack = await send(alice, event, payload);
      if (payload.data !== 'not for bob' && ack.status === 1) missed.push(ack.id);
    }
    const { socket, seen } = await joinRecording('bob', (lastSeen as { id: number }).id);
    await until(() => seen.history.length > 0);
    await sleep(100);
    expect(historyItems(seen).map((m) => m.id)).toEqual(missed);
    // ...and live messages carry on after it, with nothing twice.
    await send(alice, '2', { data: 'live again' });
    await until(() => (seen['2'] as Item[]).some((m) => m.data === 'live again'));
    expect((seen['2'] as Item[]).filter((m) => missed.includes(m.id))).toEqual([]);
    socket.close();
  });

  it('loses and repeats nothing when a client reconnects while messages flow', async () => {
    const alice = await join('alice');
    const first = await joinRecording('bob');
    await until(() => first.seen.history.length > 0);
    const flood = Promise.all(
      Array.from({ length: 300 }, (_, i) => send(alice, '2', { data: `flow ${i}` })),
    );
    await until(() => (first.seen['2'] as Item[]).some((m) => m.data.startsWith('flow ')));
    first.socket.close();
    const lastId = Math.max(...(first.seen['2'] as Item[]).filter((m) => m.id).map((m) => m.id));
    const second = await joinRecording('bob', lastId);
    const acks = await flood;
    const all = acks.map((a) => (a as { id: number }).id);
    await until(
      () => {
        const ids = new Set(
          [
            ...(first.seen['2'] as Item[]),
            ...historyItems(second.seen),
            ...(second.seen['2'] as Item[]),
          ].map((m) => m.id),
        );
        return all.every((id) => ids.has(id));
      },
      5000,
      'every message seen',
    );
    const received = [
      ...(first.seen['2'] as Item[]).filter((m) => m.id <= lastId),
      ...historyItems(second.seen),
      ...(second.seen['2'] as Item[]),
    ].filter((m) => m.data.startsWith('flow '));
    expect(received.map((m) => m.id).sort((a, b) => a - b)).toEqual([...all].sort((a, b) => a - b));
  });

  describe('typing', () => {
    it('tells the group, or only the private recipient, throttled', async () => {
      const alice = await join('alice');
      const bob = await joinRecording('bob');
      const carol = await joinRecording('carol');
      alice.emit('typing', { to: 'all' });
      alice.emit('typing', { to: 'all' });
      await until(() => bob.seen.typing.length > 0 && carol.seen.typing.length > 0);
      await sleep(100);
      expect(bob.seen.typing).toEqual([{ user: 'alice', to: 'all' }]);
      await sleep(1000);
      alice.emit('typing', { to: 'bob' });
      await until(() => bob.seen.typing.length > 1);
      await sleep(100);
      expect(bob.seen.typing[1]).toEqual({ user: 'alice', to: 'bob' });
      expect(carol.seen.typing).toHaveLength(1);
    });

    it('refuses a malformed typing event with event 0', async () => {
      const alice = await join('alice');
      const error = next<{ data: string }>(alice, '0');
      alice.emit('typing', { to: 42 });
      expect((await error).data).toMatch(/to must be/);
    });
  });
});
