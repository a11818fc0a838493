/**
 * Cluster mode: a sender's retry (the same `cid`) reaching two instances at the same instant is
 * stored once and delivered once: only the instance whose INSERT stored it delivers it; the
 * other acknowledges it with the same id.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import type { AckResponse } from '../../src/protocol/index.js';
import { record, sleep, until } from '../support/chat-client.js';
import { startCluster, type TestCluster } from '../support/cluster.js';

const SETUP = 180_000;
const ROUNDS = 50;

/** An acknowledgement, read whatever its status (a refusal fails on `status`). */
type Acked = AckResponse & { id?: number };

interface Delivered {
  id?: number;
  cid?: string;
  data: string;
}

describe('cluster: exactly once across instances', () => {
  let cluster: TestCluster | null;

  beforeAll(async () => {
    cluster = await startCluster(2, { users: ['alice', 'bob', 'carol'] });
  }, SETUP);

  afterAll(() => cluster?.close(), SETUP);

  const user = (name: 'alice' | 'bob' | 'carol', i: number) => cluster!.connectAs(name, i);

  /** The ids each text arrived with (one per arrival). */
  function counts(seen: unknown[]): Map<string, number[]> {
    const byText = new Map<string, number[]>();
    for (const m of seen as Delivered[]) {
      if (typeof m.id !== 'number') continue; // the welcome line
      byText.set(m.data, [...(byText.get(m.data) ?? []), m.id]);
    }
    return byText;
  }

  it('the same cid sent to A and B at once is stored once, delivered once, acked with one id', async () => {
    if (!cluster) return;
    const aliceOnA = await user('alice', 0);
    const aliceOnB = await user('alice', 1);
    const bobOnA = await user('bob', 0);
    const carolOnB = await user('carol', 1);
    const bobSeen = record(bobOnA, '2', '3');
    const carolSeen = record(carolOnB, '2', '3');
    const send = (socket: Socket, event: '2' | '3', payload: object) =>
      socket.timeout(30_000).emitWithAck(event, payload) as Promise<Acked>;

    const acks: Array<[Acked, Acked]> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const cid = `race-${round}`;
      // Every fifth a private message to carol, the others to the group.
      const [event, payload] =
        round % 5 === 4
          ? (['3', { data: `text ${round}`, cid, to: 'carol' }] as const)
          : (['2', { data: `text ${round}`, cid }] as const);
      acks.push(
        await Promise.all([send(aliceOnA, event, payload), send(aliceOnB, event, payload)]),
      );
    }

    for (const [a, b] of acks) {
      expect(a.status).toBe(1);
      expect(b.status).toBe(1);
      expect(a.id).toBe(b.id);
    }
    expect(new Set(acks.map(([a]) => a.id)).size).toBe(ROUNDS);

    const groupTexts = ROUNDS - ROUNDS / 5;
    await until(() => bobSeen['2'].length >= groupTexts && carolSeen['2'].length >= groupTexts);
    await until(() => carolSeen['3'].length >= ROUNDS / 5);
    // Room for a second (wrong) delivery to arrive.
    await sleep(1000);
    const ackIds = new Map(acks.map(([a], round) => [`text ${round}`, a.id]));
    for (const [seen, events] of [
      [bobSeen, ['2']],
      [carolSeen, ['2', '3']],
    ] as const) {
      for (const event of events) {
        for (const [text, ids] of counts(seen[event])) {
          expect({ text, ids }).toEqual({ text, ids: [ackIds.get(text)] });
        }
      }
    }
    expect(counts(bobSeen['2']).size).toBe(groupTexts);
    expect(counts(carolSeen['2']).size).toBe(groupTexts);
    expect(counts(carolSeen['3']).size).toBe(ROUNDS / 5);
  });
});
