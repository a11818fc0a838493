/**
 * Cluster mode, no gap and no duplicate with several writers: two instances store and deliver
 * messages at full speed, each in its own order, so a client may get id 101 (from B) before 100
 * (from A). Readers that close and reconnect (to either instance) in the middle, with the lastId
 * our page would send, must end with every message exactly once (deduplicated by id, as the page
 * does): the catch-up window before lastId (CATCH_UP_WINDOW_MS) is what makes that hold.
 * TWO_WRITERS_WINDOW_MS=0 runs it without the window, to see it fail.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sleep } from '../support/chat-client.js';
import { blast, CatchUpReader } from '../support/catch-up-reader.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import type { Person } from '../support/users.js';

const SETUP = 180_000;
const PER_SENDER = 1500;
const READERS: Person[] = ['carol', 'dave', 'erin'];
const windowEnv = process.env.TWO_WRITERS_WINDOW_MS;

describe('cluster: two writers, readers reconnecting', () => {
  let cluster: TestCluster | null;

  beforeAll(async () => {
    cluster = await startCluster(2, {
      env: windowEnv ? { CATCH_UP_WINDOW_MS: windowEnv } : {},
      users: ['alice', 'bob', ...READERS],
    });
  }, SETUP);

  afterAll(() => cluster?.close(), SETUP);

  it('every reader ends with every message exactly once', async () => {
    if (!cluster) return;
    const url = (i: number) => cluster!.url(i);
    const [alice, bob] = [await cluster.connectAs('alice', 0), await cluster.connectAs('bob', 1)];
    const readers: CatchUpReader[] = [];
    for (const [n, name] of READERS.entries()) {
      const reader = cluster.track(new CatchUpReader(await cluster.token(name, 0)));
      await reader.connect(url(n % 2));
      readers.push(reader);
    }

    let sending = true;
    // Each reader closes and reconnects, to one instance then the other, all through the blast.
    const churn = readers.map(async (reader, n) => {
      let hop = n;
      while (sending) {
        await sleep(50 + 40 * n);
        reader.close();
        await reader.connect(url(++hop % 2), 60_000);
      }
    });
    const sent = await Promise.all([
      blast(alice, PER_SENDER, 'from-A'),
      blast(bob, PER_SENDER, 'from-B'),
    ]).finally(() => (sending = false));
    await Promise.all(churn);
    // One last reconnect each: everything stored is now before the catch-up's bound.
    for (const reader of readers) {
      reader.close();
      await reader.connect(url(0), 60_000);
    }

    const all = sent.flat();
    expect(new Set(all).size).toBe(2 * PER_SENDER);
    for (const reader of readers) {
      const missing = all.filter((id) => !reader.shown.has(id));
      expect({ reader: readers.indexOf(reader), missing }).toEqual({
        reader: readers.indexOf(reader),
        missing: [],
      });
      // Shown once each (the page keeps one per id), and nothing that was not sent.
      expect(reader.shown.size).toBe(all.length);
      expect(reader.catchUps).toBeGreaterThan(3);
    }
  });
});
