/**
 * The catch-up a socket gets at connect: `history` pages ending with `done`, every waiting private
 * message however many, a cap (and a charge to the event budget) with `more`, and the client rule
 * that makes a drop in the middle of a catch-up skip nothing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import type { Socket } from 'socket.io-client';
import type {
  AckResponse as Ack,
  HistoryItem as Item,
  HistoryPage,
} from '../src/protocol/index.js';
import { connect, connectRecording, login, sleep, until } from './support/chat-client.js';
import { SpecSockets } from './support/spec-sockets.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const PAGE_WAIT = 30_000;

/** Sends `count` messages, 100 at a time; their ids, ascending. */
async function sendMany(
  socket: Socket,
  count: number,
  message: (i: number) => ['2' | '3', object],
): Promise<number[]> {
  const ids: number[] = [];
  for (let start = 0; start < count; start += 100) {
    const acks = await Promise.all(
      Array.from({ length: Math.min(100, count - start) }, (_, k) => {
        const [event, payload] = message(start + k);
        return socket.timeout(20_000).emitWithAck(event, payload) as Promise<Ack>;
      }),
    );
    for (const ack of acks) {
      if (ack.status !== 1) throw new Error(`not stored: ${JSON.stringify(ack)}`);
      ids.push(ack.id);
    }
  }
  return ids.sort((a, b) => a - b);
}

/** Waits for the catch-up's done page (a server without the marker is given a while instead). */
async function caughtUp(pages: HistoryPage[]): Promise<void> {
  const unmarked = () => pages.length > 0 && pages[0].done === undefined;
  await until(() => pages.some((page) => page.done) || unmarked(), PAGE_WAIT, 'the done page');
  if (unmarked()) await sleep(2000);
}

/**
 * A client that follows the client rule of docs/protocol.md (Catch-up): it shows everything it
 * gets, but moves the `lastId` it will reconnect with only to the `until` of a catch-up's `done`
 * page, then with each live message.
 */
class RuleFollowingClient {
  lastId: number | undefined;
  caughtUp = false;
  readonly shown = new Map<number, number>();

  /** Each connection has a catch-up of its own. */
  connecting(): number | undefined {
    this.caughtUp = false;
    return this.lastId;
  }

  history(page: HistoryPage): void {
    for (const item of page.data) this.show(item.id);
    if (page.done !== true) return;
    this.caughtUp = true;
    this.lastId = Math.max(this.lastId ?? 0, page.until);
  }

  live(message: { id?: number }): void {
    if (typeof message.id !== 'number') return; // the welcome line
    this.show(message.id);
    if (this.caughtUp) this.lastId = Math.max(this.lastId ?? 0, message.id);
  }

  private show(id: number): void {
    this.shown.set(id, (this.shown.get(id) ?? 0) + 1);
  }
}

describe('catch-up on connect', () => {
  let t: TestApp;
  const sockets = new SpecSockets(() => t.url);
  const { tokens } = sockets;
  const names = ['alice', 'bob', 'carol', 'dave', 'erin'];

  const join = (name: string, lastId?: number) => sockets.join(name, lastId);

  /** Connects and waits for the catch-up's last page. */
  async function catchUp(name: string, lastId?: number) {
    const { socket, seen } = await connectRecording(
      t.url,
      { token: tokens[name], lastId },
      'history',
    );
    sockets.track(socket);
    const pages = seen.history as HistoryPage[];
    await caughtUp(pages);
    const items = pages.flatMap((page) => page.data);
    return { socket, pages, items, last: pages[pages.length - 1] };
  }

  beforeAll(async () => {
    t = await startTestApp();
    await sockets.addUsers(t, names);
  }, 60_000);
  afterEach(() => sockets.closeAll());
  afterAll(() => t.close());

  it('ends every catch-up with a done page carrying until, even with nothing to send', async () => {
    const alice = await join('alice');
    const [id] = await sendMany(alice, 1, () => ['2', { data: 'the latest' }]);
    const { pages, last } = await catchUp('bob', id);
    expect(pages).toEqual([{ user: '', data: [], until: id, done: true, more: false }]);
    expect(last.until).toBe(id);
  });

  it('sends every one of 800 waiting private messages, in pages, each once, then marks them delivered', async () => {
    const alice = await join('alice');
    const waiting = await sendMany(alice, 800, (i) => ['3', { data: `waiting ${i}`, to: 'carol' }]);
    const { pages, items } = await catchUp('carol');
    const unread = items.filter((m) => m.unread === true).map((m) => m.id);
    expect(unread.length).toBe(800);
    expect(unread).toEqual(waiting);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.slice(0, -1).every((page) => page.done === false)).toBe(true);
    const ids = items.map((m) => m.id);
    expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b));
    // Delivered now: the next connect has nothing waiting.
    const again = await catchUp('carol');
    expect(again.items.filter((m) => m.unread)).toEqual([]);
  }, 120_000);

  it('cuts a page of long waiting messages into events a client can read without being dropped', async () => {
    const alice = await join('alice');
    // 500 messages of 2,000 Chinese characters: one page of 3 MB, over SLOW_CONSUMER_BYTES (1 MiB).
    const text = '长'.repeat(1990);
    const waiting = await sendMany(alice, 500, (i) => ['3', { data: `${i} ${text}`, to: 'erin' }]);
    const { socket, pages, items } = await catchUp('erin');
    expect(items.filter((m) => m.unread).map((m) => m.id)).toEqual(waiting);
    for (const page of pages) {
      // A quarter of SLOW_CONSUMER_BYTES, and one message over at most.
      expect(Buffer.byteLength(JSON.stringify(page))).toBeLessThan(256 * 1024 + 8 * 1024);
    }
    expect(pages.filter((page) => page.done)).toHaveLength(1);
    expect(pages[pages.length - 1].done).toBe(true);
    expect(socket.connected).toBe(true);
  }, 180_000);

  it('with a drop in the middle of a long catch-up, a client that follows the rule misses nothing', async () => {
    const client = new RuleFollowingClient();
    // A first connect: the client is caught up.
    const first = await catchUp('bob', client.connecting());
    for (const page of first.pages) client.history(page);
    expect(client.lastId).toBe(first.last.until);
    first.socket.close();

    const alice = await join('alice');
    const missed = await sendMany(alice, 1200, (i) => ['2', { data: `missed ${i}` }]);

    // Reconnect: the catch-up is three pages. After the first, a live message arrives before the
    // rest (the server reads the next page while it is stored), then the connection drops: the
    // pages still on their way are lost.
    const second = await connectRecording(
      t.url,
      { token: tokens.bob, lastId: client.connecting() },
      'history',
      '2',
    );
    sockets.track(second.socket);
    const pages = second.seen.history as HistoryPage[];
    const live = second.seen['2'] as Item[];
    await until(() => pages.length > 0, PAGE_WAIT, 'the first page');
    expect(pages[0].done).toBe(false);
    client.history(pages[0]);
    const [liveId] = await sendMany(alice, 1, () => ['2', { data: 'live during the catch-up' }]);
    await until(() => live.some((m) => m.id === liveId), PAGE_WAIT, 'the live message');
    client.live(live.find((m) => m.id === liveId) as Item);
    second.socket.close();
    expect(client.lastId).toBe(first.last.until);

    // Reconnect with the rule's lastId: the rest arrives, nothing is skipped.
    const third = await connectRecording(
      t.url,
      { token: tokens.bob, lastId: client.connecting() },
      'history',
      '2',
    );
    sockets.track(third.socket);
    const thirdPages = third.seen.history as HistoryPage[];
    await until(() => thirdPages.some((page) => page.done), PAGE_WAIT, 'the done page');
    for (const page of thirdPages) client.history(page);
    for (const message of third.seen['2'] as Item[]) client.live(message);
    expect([...missed, liveId].filter((id) => !client.shown.has(id))).toEqual([]);
    expect(client.lastId).toBeGreaterThanOrEqual(liveId);
  }, 180_000);

  it('caps a catch-up from lastId 0: the newest messages with more, then exactly what is asked', async () => {
    const alice = await join('alice');
    const long = 'x'.repeat(1990);
    const ids = await sendMany(alice, 300, (i) => ['2', { data: `${i} ${long}` }]);
    const { items, last } = await catchUp('dave', 0);
    expect(items.length).toBeLessThanOrEqual(100);
    expect(last.more).toBe(true);
    expect(items.map((m) => m.id)).toContain(ids[ids.length - 1]);
    expect(JSON.stringify(items).length).toBeLessThan(512 * 1024);
    // A short gap is sent whole.
    const recent = await catchUp('dave', ids[289]);
    expect(recent.items.map((m) => m.id)).toEqual(ids.slice(290));
    expect(recent.last.more).toBe(false);
  }, 120_000);
});

describe('catch-up and the event budget', () => {
  const LIMITED = { SOCKET_RATE_CAPACITY: '4', SOCKET_RATE_PER_SEC: '1' };
  let seeding: TestApp;
  let t: TestApp;
  const open: Socket[] = [];
  let token = '';
  let ids: number[] = [];

  beforeAll(async () => {
    // 1,500 short messages (three pages), stored without limits...
    seeding = await startTestApp();
    await seeding.createUser('alice', 'alice-password');
    await seeding.createUser('bob', 'bob-password');
    const alice = await connect(seeding.url, {
      token: await login(seeding.url, 'alice', 'alice-password'),
    });
    ids = await sendMany(alice, 1500, (i) => ['2', { data: `budget ${i}` }]);
    alice.close();
    await seeding.app.close();
    // ...then the same database behind a budget of 4 events, refilling 1 a second.
    t = await startTestApp(LIMITED, {
      database: seeding.database,
      dataDir: seeding.config.dataDir,
    });
    token = await login(t.url, 'bob', 'bob-password');
  }, 120_000);
  afterAll(async () => {
    for (const socket of open.splice(0)) socket.close();
    await t.close();
    await seeding.database.drop();
    rmSync(seeding.config.dataDir, { recursive: true, force: true });
  });

  it('charges a catch-up one event per page: connects beyond the budget get the newest page', async () => {
    const joined = await Promise.all(
      Array.from({ length: 5 }, () => connectRecording(t.url, { token, lastId: 0 }, 'history')),
    );
    open.push(...joined.map((j) => j.socket));
    const pagesOf = joined.map((j) => j.seen.history as HistoryPage[]);
    await Promise.all(pagesOf.map(caughtUp));
    const sent = pagesOf.map((pages) => pages.flatMap((page) => page.data).map((m) => m.id));
    const whole = sent.filter((got) => got.length === ids.length);
    const cut = pagesOf.filter((pages) => pages[pages.length - 1].more);
    // The budget pays for one whole catch-up (three pages), not five.
    expect(whole.length).toBeGreaterThanOrEqual(1);
    expect(whole[0]).toEqual(ids);
    expect(cut.length).toBeGreaterThanOrEqual(1);
    for (const pages of cut) {
      const got = pages.flatMap((page) => page.data);
      expect(got.length).toBeLessThanOrEqual(100);
      expect(got.map((m) => m.id)).toContain(ids[ids.length - 1]);
    }
  }, 120_000);
});
