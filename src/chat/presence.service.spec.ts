import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { loadConfig } from '../app-config.js';
import type { MessageStore } from '../messages/message-store.service.js';
import type { ChatServer } from './chat-socket.js';
import { DeliveryService } from './delivery.service.js';
import { PresenceService } from './presence.service.js';

/**
 * Stands in for the socket.io server: records the whole lists broadcast (to everyone taking them,
 * or to newcomers: `to`) in `broadcasts`, and the online-list changes in `changes`.
 */
function fakeServer() {
  const broadcasts: { event: string; payload: unknown; to?: string[] }[] = [];
  const changes: unknown[] = [];
  const server = {
    to: (room: string) => ({
      emit: (event: string, payload: unknown) =>
        room === 'presence:changes' ? changes.push(payload) : broadcasts.push({ event, payload }),
    }),
    local: {
      to: (to: string[]) => ({
        emit: (event: string, payload: unknown) => broadcasts.push({ event, payload, to }),
      }),
    },
  };
  return { broadcasts, changes, server: server as unknown as ChatServer };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(PresenceService.name, () => {
  let presence: PresenceService;
  afterEach(() => presence.onModuleDestroy());

  let changes: unknown[] = [];
  function setUp(flushMs = 10) {
    const fake = fakeServer();
    const { broadcasts, server } = fake;
    changes = fake.changes;
    const delivery = new DeliveryService(server, { onStored() {} } as unknown as MessageStore);
    const config = loadConfig({ JWT_SECRET: 'k'.repeat(32), PRESENCE_FLUSH_MS: String(flushMs) });
    presence = new PresenceService(delivery, config);
    return broadcasts;
  }

  it('lists each user once, in the order they came online, however many tabs', () => {
    setUp();
    presence.add('bob');
    presence.add('alice');
    presence.add('bob');
    expect(presence.list()).toEqual(['bob', 'alice']);
    presence.remove('bob');
    expect(presence.isOnline('bob')).toBe(true);
    presence.remove('bob');
    expect(presence.isOnline('bob')).toBe(false);
    expect(presence.list()).toEqual(['alice']);
  });

  it('ignores a removal of someone who is not online', () => {
    setUp();
    presence.remove('ghost');
    expect(presence.list()).toEqual([]);
  });

  it('coalesces a burst of 2,000 joins into one broadcast of the whole list', async () => {
    const broadcasts = setUp(20);
    for (let i = 0; i < 2000; i++) presence.add(`user${i}`);
    expect(broadcasts).toEqual([]);
    await sleep(40);
    expect(broadcasts).toHaveLength(1);
    expect(broadcasts[0].event).toBe('1');
    expect((broadcasts[0].payload as { data: string[] }).data).toHaveLength(2000);
  });

  describe('while changes keep coming', () => {
    afterEach(() => {
      jest.useRealTimers();
    });

    it('waits for a quiet window, up to 1 ms per client taking whole lists', () => {
      jest.useFakeTimers();
      const broadcasts = setUp(20);
      for (let i = 0; i < 50; i++) presence.add(`user${i}`);
      jest.advanceTimersByTime(100);
      expect(broadcasts).toHaveLength(1);
      // a change every 15 ms: never 20 ms of quiet
      for (let t = 0; t < 6; t++) {
        presence.add(`late${t}`);
        jest.advanceTimersByTime(15);
      }
      // forced 51 ms after the first of them (51 users online then)
      expect(broadcasts).toHaveLength(2);
      expect((broadcasts[1].payload as { data: string[] }).data).toHaveLength(54);
      jest.advanceTimersByTime(20);
      expect(broadcasts).toHaveLength(3); // and the last changes, once quiet
      expect((broadcasts[2].payload as { data: string[] }).data).toHaveLength(56);
    });

    it('broadcasts a stream of joins a bounded number of times, not once per join', () => {
      jest.useFakeTimers();
      const broadcasts = setUp(100);
      // 2,000 joins, one every 1.5 ms (3 s): 1 ms per user online spaces the broadcasts out
      for (let i = 0; i < 2000; i++) {
        presence.add(`user${i}`);
        jest.advanceTimersByTime(1.5);
      }
      jest.advanceTimersByTime(100);
      expect(broadcasts.length).toBeGreaterThan(3);
      expect(broadcasts.length).toBeLessThan(15);
      expect((broadcasts.at(-1)?.payload as { data: string[] }).data).toHaveLength(2000);
    });
  });

  it('sends the list to newcomers of the same moment in one broadcast', async () => {
    const broadcasts = setUp(1000);
    presence.add('alice');
    presence.sendListTo('socket-a');
    presence.add('bob');
    presence.sendListTo('socket-b');
    expect(broadcasts).toEqual([]);
    await sleep(20);
    expect(broadcasts).toEqual([
      { event: '1', payload: { user: '', data: ['alice', 'bob'] }, to: ['socket-a', 'socket-b'] },
    ]);
  });

  it('tells clients that take changes only who came online and who left, once per window', async () => {
    setUp(10);
    presence.add('alice', false);
    presence.add('bob', false);
    await sleep(30);
    expect(changes).toEqual([{ online: ['alice', 'bob'], offline: [] }]);
    presence.remove('bob', false);
    presence.add('carol', false);
    presence.add('dave', false);
    presence.remove('dave', false); // came and went within the window: told as gone
    await sleep(30);
    expect(changes.at(-1)).toEqual({ online: ['carol'], offline: ['bob', 'dave'] });
    expect(changes).toHaveLength(2);
    // left and came back (a reload): told as online, for a newcomer whose list missed them
    presence.remove('alice', false);
    presence.add('alice', false);
    await sleep(30);
    expect(changes.at(-1)).toEqual({ online: ['alice'], offline: [] });
  });

  it('does not wait longer between updates for clients that take changes only', () => {
    jest.useFakeTimers();
    try {
      setUp(20);
      // 500 changes-only clients joining one every 5 ms: never 20 ms of quiet, yet an update
      // at least every 20 ms (whole lists would wait up to 1 ms per client taking them)
      for (let i = 0; i < 500; i++) {
        presence.add(`user${i}`, false);
        jest.advanceTimersByTime(5);
      }
      expect(changes.length).toBeGreaterThanOrEqual(120);
    } finally {
      jest.useRealTimers();
    }
  });

  it('does not broadcast when only a second tab opens or closes', async () => {
    const broadcasts = setUp(5);
    presence.add('alice');
    await sleep(20);
    broadcasts.length = 0;
    presence.add('alice');
    presence.remove('alice');
    await sleep(20);
    expect(broadcasts).toEqual([]);
  });

  it('reuses the list between changes instead of rebuilding it', () => {
    setUp();
    presence.add('alice');
    const first = presence.list();
    expect(presence.list()).toBe(first);
    presence.add('bob');
    expect(presence.list()).not.toBe(first);
  });
});
