import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig } from '../app-config.js';
import { dataSourceOptions } from '../database/data-source-options.js';
import { DatabaseWatchdog } from '../database/database-watchdog.service.js';
import { Message } from './message.entity.js';
import { MessageStore } from './message-store.service.js';
import { MessagesRepository } from './messages.repository.js';
import type { StoredMessage } from './stored-message.js';

describe(MessageStore.name, () => {
  let dir: string;
  let dataSource: DataSource;

  async function makeStore(env: Record<string, string> = {}) {
    const config = loadConfig({ DATA_DIR: dir, JWT_SECRET: 'k'.repeat(32), ...env });
    const store = new MessageStore(
      new MessagesRepository(dataSource.getRepository(Message)),
      config,
      new DatabaseWatchdog(dataSource, config),
    );
    await store.onModuleInit();
    const told: StoredMessage[][] = [];
    store.onStored((batch) => told.push(batch));
    return { store, told };
  }
  const draft = (text: string, cid?: string, sender = 'alice') => ({
    sender,
    senderId: sender === 'alice' ? 1 : 2,
    recipient: null,
    text,
    cid,
    delivered: true,
  });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chat-store-'));
    dataSource = new DataSource(
      dataSourceOptions({ type: 'sqlite', file: join(dir, 'db.sqlite') }),
    );
    await dataSource.initialize();
  });
  afterEach(async () => {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes what arrives together as one batch, ids in arrival order, told before acknowledged', async () => {
    const { store, told } = await makeStore();
    const order: string[] = [];
    store.onStored(() => order.push('told'));
    const saves = Array.from({ length: 100 }, (_, i) =>
      store.save(draft(`m${i}`)).then((r) => (order.push('ack'), r)),
    );
    const results = await Promise.all(saves);
    expect(told).toHaveLength(1);
    expect(told[0]).toHaveLength(100);
    const ids = results.map((r) => r.message.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(results.map((r) => r.message.text)).toEqual(saves.map((_, i) => `m${i}`));
    expect(order[0]).toBe('told');
    expect(store.lastStoredId).toBe(ids[99]);
  });

  it('writes one message per INSERT when MESSAGE_BATCH_MAX is 1', async () => {
    const { store, told } = await makeStore({ MESSAGE_BATCH_MAX: '1' });
    await Promise.all(Array.from({ length: 5 }, (_, i) => store.save(draft(`m${i}`))));
    expect(told.map((batch) => batch.length)).toEqual([1, 1, 1, 1, 1]);
  });

  it('stores a retried cid once, within a batch and across batches, per sender', async () => {
    const { store, told } = await makeStore();
    const [a, b] = await Promise.all([store.save(draft('x', 'c1')), store.save(draft('x', 'c1'))]);
    const c = await store.save(draft('x', 'c1'));
    const other = await store.save(draft('x', 'c1', 'bob'));
    expect([a.duplicate, b.duplicate, c.duplicate, other.duplicate]).toEqual([
      false,
      true,
      true,
      false,
    ]);
    expect(new Set([a.message.id, b.message.id, c.message.id]).size).toBe(1);
    expect(other.message.id).not.toBe(a.message.id);
    expect(told.flat().map((m) => m.sender)).toEqual(['alice', 'bob']);
    expect(await dataSource.getRepository(Message).count()).toBe(2);
  });

  it('finds the account of each recipient by name, in the batch that stores it', async () => {
    const { store } = await makeStore();
    await dataSource.query(
      "INSERT INTO admin (username, password) VALUES ('bob', 'x'), ('carol', 'y')",
    );
    const users = await dataSource.query<{ id: number; username: string }[]>(
      'SELECT id, username FROM admin',
    );
    const ids = Object.fromEntries(users.map((u) => [u.username, u.id]));
    const to = (recipient: string | null, text: string) => ({ ...draft(text), recipient });
    const saved = await Promise.all([
      store.save(to('bob', 'to bob')),
      store.save(to(null, 'to all')),
      store.save(to('carol', 'to carol')),
      store.save(to('nobody', 'to a removed name')),
    ]);
    expect(saved.map((r) => [r.message.text, r.message.senderId, r.message.recipientId])).toEqual([
      ['to bob', 1, ids.bob],
      ['to all', 1, null],
      ['to carol', 1, ids.carol],
      ['to a removed name', 1, null],
    ]);
  });

  it('hides server-made ids and keeps the client one', async () => {
    const { store } = await makeStore();
    expect((await store.save(draft('no cid'))).message.cid).toBeUndefined();
    expect((await store.save(draft('with cid', 'mine'))).message.cid).toBe('mine');
  });

  it('refuses every message of a batch that could not be written, and recovers', async () => {
    const { store } = await makeStore();
    await dataSource.query('ALTER TABLE messages RENAME TO messages_away');
    await expect(store.save(draft('lost?', 'r1'))).rejects.toThrow();
    await dataSource.query('ALTER TABLE messages_away RENAME TO messages');
    const retried = await store.save(draft('lost?', 'r1'));
    expect(retried.duplicate).toBe(false);
  });

  it('drains what is queued when stopping', async () => {
    const { store } = await makeStore({ MESSAGE_BATCH_MS: '1000' });
    const pending = store.save(draft('late'));
    await store.onApplicationShutdown();
    await expect(pending).resolves.toMatchObject({ duplicate: false });
  });
});
