/**
 * Cluster mode: presence and the socket caps across instances. Each open socket is an entry in
 * Redis owned by its instance; every instance learns each change and tells its own clients, so a
 * user is listed once however many instances hold their tabs, and each change reaches each client
 * once. A crashed instance's users leave within 30 s; the caps count every instance's sockets.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import type { Socket } from 'socket.io-client';
import type { PresenceChanges } from '../../src/protocol/index.js';
import { connectRecording, sleep, until } from '../support/chat-client.js';
import { startCluster, stopProcess, type TestCluster } from '../support/cluster.js';
import { PASSWORDS, type Person } from '../support/users.js';

const SETUP = 240_000;
/** A crashed instance's users must be gone within 30 s; the rest is room for a busy machine. */
const CRASH_BOUND_MS = 30_000 + 12_000;

/** What a client that takes whole lists (event `1`) last saw. */
interface FullListClient {
  socket: Socket;
  lists: string[][];
  last(): string[];
}

/** What a client that takes changes (`presence: 'changes'`) saw, and the list it makes of them. */
interface ChangesClient {
  socket: Socket;
  changes: PresenceChanges[];
  online: Set<string>;
}

describe('cluster: presence across instances', () => {
  let cluster: TestCluster | null;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    cluster = await startCluster(3, { users: Object.keys(PASSWORDS) as Person[] });
  }, SETUP);

  afterAll(() => cluster?.close(), SETUP);

  /** One token per person (logged in on instance 0), for all their tabs. */
  async function token(name: Person): Promise<string> {
    if (!tokens.has(name)) tokens.set(name, await cluster!.token(name));
    return tokens.get(name)!;
  }

  const tab = async (name: Person, i: number) => cluster!.connect(i, { token: await token(name) });

  async function fullLists(name: Person, i: number): Promise<FullListClient> {
    const { socket, seen } = await connectRecording(
      cluster!.url(i),
      { token: await token(name) },
      '1',
    );
    cluster!.track(socket);
    const client: FullListClient = {
      socket,
      get lists() {
        return (seen['1'] as { user: string; data: string[] }[])
          .filter((m) => m.user === '')
          .map((m) => m.data);
      },
      last: () => client.lists.at(-1) ?? [],
    };
    return client;
  }

  async function changes(name: Person, i: number): Promise<ChangesClient> {
    const client: ChangesClient = { socket: null!, changes: [], online: new Set() };
    client.socket = await cluster!.connect(
      i,
      { token: await token(name), presence: 'changes' },
      (socket) => {
        socket.on('1', (m: { user: string; data: string[] }) => {
          if (m.user === '') client.online = new Set(m.data);
        });
        socket.on('presence', (change: PresenceChanges) => {
          client.changes.push(change);
          for (const u of change.online) client.online.add(u);
          for (const u of change.offline) client.online.delete(u);
        });
      },
    );
    return client;
  }

  const cameOnline = (client: ChangesClient, name: string) =>
    client.changes.filter((c) => c.online.includes(name)).length;
  const wentOffline = (client: ChangesClient, name: string) =>
    client.changes.filter((c) => c.offline.includes(name)).length;

  let carol: FullListClient; // whole lists, on instance 0
  let dave: ChangesClient; // changes only, on instance 1

  it('lists a user with tabs on two instances once, until their last tab closes', async () => {
    if (!cluster) return;
    carol = await fullLists('carol', 0);
    dave = await changes('dave', 1);
    const aliceOn1 = await tab('alice', 1);
    const aliceOn2 = await tab('alice', 2);
    await until(
      () => carol.last().includes('alice') && dave.online.has('alice'),
      15_000,
      'alice listed',
    );
    await until(
      () => carol.last().includes('dave') && dave.online.has('carol'),
      15_000,
      'observers',
    );
    await sleep(1000);
    expect(carol.last().filter((u) => u === 'alice')).toEqual(['alice']);
    // Each change reaches each client once, not once per instance.
    expect(cameOnline(dave, 'alice')).toBe(1);

    aliceOn1.close();
    await sleep(2000);
    expect(carol.last()).toContain('alice');
    expect(dave.online.has('alice')).toBe(true);
    expect(wentOffline(dave, 'alice')).toBe(0);

    aliceOn2.close();
    await until(
      () => !carol.last().includes('alice') && !dave.online.has('alice'),
      15_000,
      'alice gone',
    );
    await sleep(1000);
    expect(wentOffline(dave, 'alice')).toBe(1);
  }, 60_000);

  it('a newcomer on any instance gets the same whole list', async () => {
    if (!cluster) return;
    await tab('bob', 2);
    await until(() => carol.last().includes('bob') && dave.online.has('bob'), 15_000, 'bob listed');
    const expected = [...carol.last()].sort();
    for (const i of [0, 1, 2]) {
      const { socket, seen } = await connectRecording(
        cluster.url(i),
        { token: await token('erin') },
        '1',
      );
      try {
        await until(() => seen['1'].length > 0, 10_000, 'a list');
        const list = (seen['1'][0] as { data: string[] }).data;
        expect([...list].sort()).toEqual([...new Set([...expected, 'erin'])].sort());
      } finally {
        socket.close();
      }
      await until(() => !carol.last().includes('erin'), 15_000, 'erin gone');
    }
  }, 90_000);

  it('kill -9 of an instance: its users leave every list within 30 s, unless connected elsewhere', async () => {
    if (!cluster) return;
    // bob has a tab on instance 2 (above) and now one on instance 0 too; erin only on 2.
    await tab('bob', 0);
    await tab('erin', 2);
    await until(
      () => carol.last().includes('erin') && dave.online.has('erin'),
      15_000,
      'erin listed',
    );
    const bobLeft = wentOffline(dave, 'bob');

    const killedAt = Date.now();
    cluster.instances[2].child.kill('SIGKILL');
    await until(
      () => !carol.last().includes('erin') && !dave.online.has('erin'),
      CRASH_BOUND_MS + 5000,
      'erin gone after the crash',
    );
    const elapsed = Date.now() - killedAt;
    expect(elapsed).toBeLessThan(CRASH_BOUND_MS);
    expect(carol.last()).toContain('bob');
    expect(dave.online.has('bob')).toBe(true);
    expect(wentOffline(dave, 'bob')).toBe(bobLeft);
  }, 90_000);

  it('Redis restarted: every instance writes its entries again and presence recovers', async () => {
    if (!cluster) return;
    const redisClient = new Redis(cluster.redis.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
    });
    try {
      const everyone = [...carol.last(), 'alice'].sort().join();
      await cluster.redis.stop();
      await sleep(1500);
      // Redis away: handshakes still succeed, counted by the instance alone.
      const alice = await tab('alice', 1);
      await until(() => dave.online.has('alice'), 10_000, 'alice listed on her own instance');
      await cluster.redis.start();
      // Redis came back empty: the entries are written again, and alice reaches instance 0 too.
      await until(() => carol.last().includes('alice'), 30_000, 'alice listed across instances');
      await redisClient.connect();
      const listed = async () => (await redisClient.zrange('{chat:presence}:online', 0, -1)).sort();
      const deadline = Date.now() + 20_000;
      while ((await listed()).join() !== everyone && Date.now() < deadline) await sleep(200);
      expect((await listed()).join()).toBe(everyone);
      expect(Number(await redisClient.hget('{chat:presence}:users', 'carol'))).toBe(1);
      await until(() => [...carol.last()].sort().join() === everyone, 15_000, 'whole lists');
      await until(() => [...dave.online].sort().join() === everyone, 15_000, 'changes');

      // Changes cross instances again.
      alice.close();
      await until(() => !carol.last().includes('alice'), 15_000, 'alice gone after recovery');
      await tab('erin', 0);
      await until(() => dave.online.has('erin'), 15_000, 'erin listed after recovery');
    } finally {
      redisClient.disconnect();
    }
  }, 120_000);

  it('a stopped instance (SIGTERM) takes its users off the lists at once', async () => {
    if (!cluster) return;
    const extra = await cluster.addInstance();
    await tab('alice', cluster.instances.indexOf(extra));
    await until(() => carol.last().includes('alice') && dave.online.has('alice'), 15_000, 'alice');
    const stoppedAt = Date.now();
    await stopProcess(extra);
    await until(() => !carol.last().includes('alice') && !dave.online.has('alice'), 15_000, 'gone');
    // Not DEAD_AFTER_MS later: it removed its entries itself.
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    // Its stop disconnected its own clients only.
    expect(carol.socket.connected && dave.socket.connected).toBe(true);
    expect([...carol.last()].sort()).toEqual(['bob', 'carol', 'dave', 'erin']);
  }, 120_000);
});

describe('cluster: socket caps across instances', () => {
  let cluster: TestCluster | null;
  const people = ['alice', 'bob', 'carol'] as const;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    cluster = await startCluster(2, {
      env: { MAX_SOCKETS_PER_USER: '2', MAX_SOCKETS_PER_IP: '4' },
      users: people,
    });
    if (!cluster) return;
    for (const name of people) tokens.set(name, await cluster.token(name));
  }, SETUP);

  afterAll(() => cluster?.close(), SETUP);

  const tab = (name: Person, i: number) => cluster!.connect(i, { token: tokens.get(name) });

  const refusedFor = (reason: 'user' | 'ip') =>
    reason === 'user'
      ? { message: 'too many connections for this user', data: { code: 'too_many_sockets' } }
      : {
          message: 'too many connections from this address',
          data: { code: 'too_many_sockets_from_ip' },
        };

  it('counts a user’s sockets on every instance (MAX_SOCKETS_PER_USER)', async () => {
    if (!cluster) return;
    const first = await tab('alice', 0);
    await tab('alice', 1);
    await expect(tab('alice', 0)).rejects.toMatchObject(refusedFor('user'));
    await expect(tab('alice', 1)).rejects.toMatchObject(refusedFor('user'));
    // A place freed on one instance can be taken on the other.
    first.close();
    await sleep(500);
    await tab('alice', 1);
    await expect(tab('alice', 0)).rejects.toMatchObject(refusedFor('user'));
  }, 60_000);

  it('lets only one of two simultaneous handshakes on two instances take the last place', async () => {
    if (!cluster) return;
    const first = await tab('bob', 0);
    const results = await Promise.allSettled([tab('bob', 0), tab('bob', 1)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected');
    expect(refused?.reason).toMatchObject(refusedFor('user'));
    first.close();
    for (const r of results) if (r.status === 'fulfilled') r.value.close();
    await sleep(500);
  }, 60_000);

  it('counts an address’s sockets on every instance (MAX_SOCKETS_PER_IP)', async () => {
    if (!cluster) return;
    // alice holds 2 sockets (instance 1); 2 more from this address reach the cap of 4.
    await tab('bob', 0);
    await tab('carol', 1);
    await expect(tab('carol', 0)).rejects.toMatchObject(refusedFor('ip'));
    await expect(tab('bob', 1)).rejects.toMatchObject(refusedFor('ip'));
  }, 60_000);
});
