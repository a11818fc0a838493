/**
 * Cluster mode: the limits count on every instance together (rate-limiter-flexible on Redis), and
 * while Redis is away each instance still limits on its own (the in-memory insurance limiter).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import type { AckResponse } from '../../src/protocol/index.js';
import { sleep } from '../support/chat-client.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { postFrom } from '../support/http-from.js';
import { PASSWORDS, type Person } from '../support/users.js';

const SETUP = 180_000;
const RATE_LIMITED = { status: 0, code: 'rate_limited', msg: 'rate limited', retry: true };

describe('cluster: limits across instances', () => {
  let cluster: TestCluster | null;
  const tokens: Partial<Record<Person, string>> = {};

  beforeAll(async () => {
    cluster = await startCluster(2, {
      env: {
        // A budget of 10 events, refilled over 10 s: one window for a whole test on a busy machine.
        SOCKET_RATE_CAPACITY: '10',
        SOCKET_RATE_PER_SEC: '1',
        LOGIN_RATE_PER_IP: '8',
        LOGIN_FAILURES_PER_USER: '3',
      },
      users: ['alice', 'bob', 'carol', 'dave', 'erin'],
    });
    if (!cluster) return;
    // From an address of their own: the five registrations took most of 127.0.0.1's 8 a minute.
    for (const name of ['alice', 'bob', 'carol', 'dave'] as const) {
      const res = await postFrom(cluster.url(0), '/login', '127.0.2.1', {
        username: name,
        password: PASSWORDS[name],
      });
      tokens[name] = res.authorization;
    }
  }, SETUP);

  afterAll(() => cluster?.close(), SETUP);

  const join = (name: Person, i: number) => cluster!.connect(i, { token: tokens[name] });

  /** `count` messages at once on each socket: the acks, in order. */
  async function burst(perSocket: Socket[], count: number, label: string) {
    const acks = await Promise.all(
      perSocket.flatMap((socket, s) =>
        Array.from(
          { length: count },
          (_, i) =>
            socket
              .timeout(10_000)
              .emitWithAck('2', { data: `${label} ${s}.${i}` }) as Promise<AckResponse>,
        ),
      ),
    );
    const stored = acks.filter((ack) => ack.status === 1).length;
    expect(acks.filter((ack) => ack.status !== 1)).toEqual(
      Array(acks.length - stored).fill(RATE_LIMITED),
    );
    return stored;
  }

  /** POST /login `times` times at once from `address`, spread over the instances in turn. */
  async function logins(address: string, body: object, times: number) {
    const all = await Promise.all(
      Array.from({ length: times }, (_, i) =>
        postFrom(cluster!.url(i % 2), '/login', address, body),
      ),
    );
    return all.map((res) => res.status).sort();
  }

  /** Both instances count in Redis: failures on one are refused on the other, both ways. */
  async function countedTogether(): Promise<boolean> {
    for (const [first, then] of [
      [0, 1],
      [1, 0],
    ]) {
      const probe = {
        username: `probe${Math.random().toString(36).slice(2, 8)}`,
        password: 'x'.repeat(10),
      };
      const address = `127.0.3.${1 + Math.floor(Math.random() * 250)}`;
      for (let i = 0; i < 3; i++) await postFrom(cluster!.url(first), '/login', address, probe);
      if ((await postFrom(cluster!.url(then), '/login', address, probe)).status !== 429)
        return false;
    }
    return true;
  }

  it("counts a user's events on every instance as one budget", async () => {
    if (!cluster) return;
    const aliceOnA = await join('alice', 0);
    const aliceOnB = await join('alice', 1);
    const bob = await join('bob', 1);
    // 12 events, 6 on each instance, against a budget of 10 from which both connects took one
    // page of catch-up: 8 pass (up to 10 if the catch-ups are charged after the burst). Counted
    // per instance, all 12 would pass.
    const stored = await burst([aliceOnA, aliceOnB], 6, 'split');
    expect(stored).toBeGreaterThanOrEqual(8);
    expect(stored).toBeLessThanOrEqual(10);
    // Another user is not affected.
    expect(await bob.timeout(10_000).emitWithAck('2', { data: 'bob is fine' })).toMatchObject({
      status: 1,
    });
  });

  it('counts login attempts from one address on every instance together', async () => {
    if (!cluster) return;
    const right = { username: 'erin', password: PASSWORDS.erin };
    // 10 at once, 5 on each instance, against 8 a minute for the address.
    expect(await logins('127.0.0.7', right, 10)).toEqual([...Array(8).fill(200), 429, 429]);
  });

  it('counts failed logins for a name on every instance together, with Retry-After', async () => {
    if (!cluster) return;
    const wrong = { username: 'erin', password: 'guess-guess' };
    const [a, b] = cluster.instances.map((instance) => instance.url);
    expect((await postFrom(a, '/login', '127.0.0.8', wrong)).status).toBe(401);
    expect((await postFrom(b, '/login', '127.0.0.8', wrong)).status).toBe(401);
    expect((await postFrom(a, '/login', '127.0.0.8', wrong)).status).toBe(401);
    const limited = await postFrom(b, '/login', '127.0.0.8', wrong);
    expect(limited.status).toBe(429);
    // The window is 15 minutes from the first failure.
    expect(Number(limited.retryAfter)).toBeGreaterThan(800);
    expect(Number(limited.retryAfter)).toBeLessThanOrEqual(900);
    // The real user elsewhere is not locked out.
    expect(
      (await postFrom(b, '/login', '127.0.0.9', { ...wrong, password: PASSWORDS.erin })).status,
    ).toBe(200);
  });

  it('while Redis is away each instance limits on its own, and nothing stops; then they count together again', async () => {
    if (!cluster) return;
    const carolOnA = await join('carol', 0);
    const carolOnB = await join('carol', 1);
    await sleep(500); // the connects' catch-ups are charged in Redis
    await cluster.redis.stop();
    try {
      // Each instance now counts carol's events alone, from a full budget: 10 on each.
      const onA = await burst([carolOnA], 14, 'outage A');
      const onB = await burst([carolOnB], 14, 'outage B');
      for (const stored of [onA, onB]) {
        expect(stored).toBeGreaterThanOrEqual(9);
        expect(stored).toBeLessThanOrEqual(10);
      }
      // Logins still work, and are still limited per address on each instance.
      const right = { username: 'erin', password: PASSWORDS.erin };
      const statuses = await Promise.all(
        Array.from({ length: 10 }, () => postFrom(cluster!.url(0), '/login', '127.0.0.10', right)),
      );
      expect(statuses.map((res) => res.status).sort()).toEqual([...Array(8).fill(200), 429, 429]);
    } finally {
      await cluster.redis.start();
    }
    for (const instance of cluster.instances) expect(instance.child.exitCode).toBeNull();
    // Both reconnect by themselves (backoff up to 2 s).
    const deadline = Date.now() + 30_000;
    while (!(await countedTogether())) {
      if (Date.now() > deadline) throw new Error('the instances do not count together again');
      await sleep(500);
    }
    const daveOnA = await join('dave', 0);
    const daveOnB = await join('dave', 1);
    const stored = await burst([daveOnA, daveOnB], 6, 'back');
    expect(stored).toBeGreaterThanOrEqual(8);
    expect(stored).toBeLessThanOrEqual(10);
  }, 120_000);
});
