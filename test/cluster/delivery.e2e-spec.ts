/**
 * Cluster mode: two instances on one MariaDB and one Redis act as one chat. Clients connect to
 * different instances; messages cross between them through the socket.io Redis adapter.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import type { AckResponse, GroupChatMessage, SingleChatMessage } from '../../src/protocol/index.js';
import { connect, login, next } from '../support/chat-client.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { PASSWORDS } from '../support/users.js';

const SETUP = 180_000;

describe('cluster: delivery across instances', () => {
  let cluster: TestCluster | null;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    cluster = await startCluster(2);
    if (!cluster) return;
    for (const name of ['alice', 'bob', 'carol'] as const)
      await cluster.createUser(name, PASSWORDS[name]);
  }, SETUP);

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await cluster?.close();
  }, SETUP);

  /** A socket of `name` on instance `i` (each logs in on the instance it connects to). */
  async function user(name: 'alice' | 'bob' | 'carol', i: number): Promise<Socket> {
    const url = cluster!.instances[i].url;
    const socket = await connect(url, { token: await login(url, name, PASSWORDS[name]) });
    sockets.push(socket);
    return socket;
  }

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
});
