/**
 * Cluster mode with Redis away: every instance keeps serving its own clients (login, storage,
 * acknowledgements, local delivery). When Redis is back the adapter recovers by itself, and the
 * clients that missed what other instances delivered meanwhile get it without a reload, exactly
 * once: each instance tells every client to catch up (`resync`), as our page then does.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import type { AckResponse, GroupChatMessage } from '../../src/protocol/index.js';
import { next, sleep, until } from '../support/chat-client.js';
import { CatchUpReader } from '../support/catch-up-reader.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { PASSWORDS, type Person } from '../support/users.js';

const SETUP = 180_000;
/** From Redis being back to the missed message on screen: reconnection backoff (≤ 2 s) and more. */
const RECOVERY_MS = 15_000;

type Acked = AckResponse & { id?: number };

describe('cluster: Redis away and back', () => {
  let cluster: TestCluster | null;

  beforeAll(async () => {
    cluster = await startCluster(2, { users: ['alice', 'bob', 'carol', 'dave', 'erin'] });
  }, SETUP);

  afterAll(() => cluster?.close(), SETUP);

  const url = (i: number) => cluster!.url(i);
  const sender = (name: Person, i: number) => cluster!.connectAs(name, i);
  async function reader(name: Person, i: number): Promise<CatchUpReader> {
    const r = cluster!.track(new CatchUpReader(await cluster!.token(name, i)));
    await r.connect(url(i));
    return r;
  }
  const say = async (socket: Socket, data: string) => {
    const ack = (await socket.timeout(20_000).emitWithAck('2', { data })) as Acked;
    expect(ack.status).toBe(1);
    return ack.id!;
  };

  it('serves each instance alone, then brings what was missed, once', async () => {
    if (!cluster) return;
    const alice = await sender('alice', 0);
    const bob = await sender('bob', 1);
    const carolOnB = await reader('carol', 1);
    const daveOnA = await reader('dave', 0);

    const before = await say(alice, 'before the outage');
    await until(() => carolOnB.shown.has(before), 10_000, 'delivery across instances');

    await cluster.redis.stop();
    await sleep(500);

    // Each instance alone: logins, storage, acknowledgements and local delivery go on.
    const erinOnA = await sender('erin', 0);
    await request(url(1))
      .post('/login')
      .send({ username: 'erin', password: PASSWORDS.erin })
      .expect(200);
    const localOnA = next<GroupChatMessage>(erinOnA, '2', (m) => m.data === 'from A, alone');
    const fromA = await say(alice, 'from A, alone');
    expect((await localOnA).id).toBe(fromA);
    const fromB = await say(bob, 'from B, alone');
    await until(() => daveOnA.shown.has(fromA) && carolOnB.shown.has(fromB), 10_000, 'local');
    // ... but nothing crosses while Redis is away.
    await sleep(1500);
    expect(carolOnB.shown.has(fromA)).toBe(false);
    expect(daveOnA.shown.has(fromB)).toBe(false);

    await cluster.redis.start();
    const back = Date.now();
    await until(
      () => carolOnB.shown.has(fromA) && daveOnA.shown.has(fromB),
      RECOVERY_MS,
      'the missed messages',
    );
    console.log(`missed messages arrived ${Date.now() - back} ms after Redis came back`);
    for (const r of [carolOnB, daveOnA]) {
      expect(r.resyncs).toBeGreaterThan(0);
      // Each once on screen (the page keeps one per id), and nothing else.
      expect([...r.shown].sort((a, b) => a - b)).toEqual([before, fromA, fromB]);
    }

    // Live across instances again, by itself.
    const after = await say(bob, 'after the outage');
    await until(() => daveOnA.shown.has(after), 10_000, 'delivery across instances again');

    for (const instance of cluster.instances) {
      expect(instance.child.exitCode).toBeNull();
      expect(instance.output()).not.toMatch(
        /UnhandledRejection|uncaught|ERROR \[ExceptionHandler\]|"context":"ExceptionHandler"/i,
      );
    }
  });
});
