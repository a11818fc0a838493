import { afterEach, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../config/app-config.js';
import { DeliveryService, type ChatServer } from './delivery.service.js';
import { PresenceService } from './presence.service.js';

/** Stands in for the socket.io server: records what would be broadcast. */
function fakeServer() {
  const broadcasts: { event: string; payload: unknown }[] = [];
  const server = { emit: (event: string, payload: unknown) => broadcasts.push({ event, payload }) };
  return { broadcasts, server: server as unknown as ChatServer };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(PresenceService.name, () => {
  let presence: PresenceService;
  afterEach(() => presence.onModuleDestroy());

  function setUp(flushMs = 10) {
    const { broadcasts, server } = fakeServer();
    const delivery = new DeliveryService();
    delivery.attach(server);
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
