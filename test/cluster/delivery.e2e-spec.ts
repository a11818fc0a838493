/**
 * Cluster mode: two instances on one MariaDB and one Redis act as one chat. Clients connect to
 * different instances; messages cross between them through the socket.io Redis adapter.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type {
  AckResponse,
  GroupChatMessage,
  SingleChatMessage,
  TypingNotice,
} from '../../src/protocol/index.js';
import { blast, CatchUpReader } from '../support/catch-up-reader.js';
import { next, until } from '../support/chat-client.js';
import { startCluster, type TestCluster } from '../support/cluster.js';

const SETUP = 180_000;

describe('cluster: delivery across instances', () => {
  let cluster: TestCluster | null;

  beforeAll(async () => {
    cluster = await startCluster(2, { users: ['alice', 'bob', 'carol'] });
  }, SETUP);

  afterAll(() => cluster?.close(), SETUP);

  /** A socket of `name` on instance `i` (each logs in on the instance it connects to). */
  const user = (name: 'alice' | 'bob' | 'carol', i: number) => cluster!.connectAs(name, i);

  it('a group message from one instance reaches clients on the other', async () => {
    if (!cluster) return;
    const alice = await user('alice', 0);
    const bob = await user('bob', 1);
    const seen = next<GroupChatMessage>(bob, '2', (m) => m.data === 'hello from A', 20_000);
    const ack = (await alice
      .timeout(20_000)
      .emitWithAck('2', { data: 'hello from A' })) as AckResponse;
    expect(ack.status).toBe(1);
    expect((await seen).user).toBe('alice');
  });

  it('a private message reaches every tab of the recipient, wherever each is connected', async () => {
    if (!cluster) return;
    const carolOnA = await user('carol', 0);
    const carolOnB = await user('carol', 1);
    const bob = await user('bob', 1);
    const match = (m: SingleChatMessage) => m.data === 'psst' && m.to === 'carol';
    const onA = next<SingleChatMessage>(carolOnA, '3', match, 20_000);
    const onB = next<SingleChatMessage>(carolOnB, '3', match, 20_000);
    const ack = (await bob
      .timeout(20_000)
      .emitWithAck('3', { data: 'psst', to: 'carol' })) as AckResponse;
    expect(ack.status).toBe(1);
    expect((await onA).user).toBe('bob');
    expect((await onB).user).toBe('bob');
  });

  it('typing notices cross instances: the group to everyone else, a private one to the recipient', async () => {
    if (!cluster) return;
    const alice = await user('alice', 0);
    const bob = await user('bob', 1);
    const group = next<TypingNotice>(
      bob,
      'typing',
      (n) => n.user === 'alice' && n.to === 'all',
      20_000,
    );
    alice.emit('typing', { to: 'all' });
    await group;
    // One notice a second per socket: wait out the throttle before the private one.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const direct = next<TypingNotice>(
      bob,
      'typing',
      (n) => n.user === 'alice' && n.to === 'bob',
      20_000,
    );
    alice.emit('typing', { to: 'bob' });
    await direct;
  });

  it('after a kill -9 of its instance a client reconnects to another and catches up with no gap', async () => {
    if (!cluster) return;
    const third = await cluster.addInstance();
    const reader = new CatchUpReader(
      await cluster.token('carol', cluster.instances.indexOf(third)),
    );
    await reader.connect(third.url);
    const writer = await user('alice', 0);
    const before = await blast(writer, 50, 'before-crash');
    await until(() => before.every((id) => reader.shown.has(id)), 30_000);
    third.child.kill('SIGKILL');
    await third.exited;
    // Written while carol has no connection: she must get all of it from the instance she lands on.
    const during = await blast(writer, 200, 'while-away');
    await reader.connect(cluster.url(1));
    const after = await blast(writer, 20, 'after-reconnect');
    await until(() => after.every((id) => reader.shown.has(id)), 30_000);
    // No gap. What the catch-up window sends again arrives with the same id, and is shown once.
    const missing = [...before, ...during, ...after].filter((id) => !reader.shown.has(id));
    expect(missing).toEqual([]);
    reader.close();
  });
});
