/**
 * An account that registered `all` before the name was reserved (issue 8, item 6) is renamed
 * by a migration: it logs in under its new name, its messages carry it, and others can write
 * to it privately again.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { AckResponse as Ack, HistoryPage } from '../src/protocol/index.js';
import { RenameReservedUsernames1764000000005 } from '../src/database/migrations/1764000000005-rename-reserved-usernames.js';
import { connectRecording, login, until } from './support/chat-client.js';
import { migrateUpTo } from './support/migrations.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('an account named "all" from before the name was reserved', () => {
  let db: TestDatabase;
  let dataDir: string;
  let t: TestApp;
  let allId = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'chat-data-'));
    await migrateUpTo(db, dataDir, RenameReservedUsernames1764000000005);
    // As registered through the old bug (plain-text passwords are replaced on first login).
    for (const name of ['all', 'bob']) {
      await db.query('INSERT INTO admin (username, password) VALUES (?, ?)', [name, `${name}-pw`]);
    }
    const ids = Object.fromEntries(
      (await db.query<{ id: number; username: string }>('SELECT id, username FROM admin')).map(
        (u) => [u.username, Number(u.id)],
      ),
    );
    allId = ids.all;
    const rows: [string, number, string | null, number | null, string][] = [
      ['all', ids.all, 'bob', ids.bob, 'from all to bob'],
      ['bob', ids.bob, 'all', ids.all, 'from bob to all'],
      ['all', ids.all, null, null, 'all in the group'],
    ];
    for (const [i, [sender, senderId, recipient, recipientId, text]] of rows.entries()) {
      await db.query(
        `INSERT INTO messages (sender, sender_id, recipient, recipient_id, text, cid, created_at, delivered)
         VALUES (?, ?, ?, ?, ?, ?, ?, 1)`,
        [sender, senderId, recipient, recipientId, text, `cid-${i}`, 1_700_000_000_000 + i],
      );
    }
    t = await startTestApp({}, { database: db, dataDir });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs in under its new name only, with its password', async () => {
    await request(t.url).post('/login').send({ username: 'all', password: 'all-pw' }).expect(401);
    await request(t.url)
      .post('/login')
      .send({ username: `all_${allId}`, password: 'all-pw' })
      .expect(200);
  });

  it('carries the new name on its messages, and can be written to privately', async () => {
    const bob = await login(t.url, 'bob', 'bob-pw');
    const res = await request(t.url)
      .get(`/messages?with=all_${allId}`)
      .set('Authorization', bob)
      .expect(200);
    expect(
      (res.body.data as { user: string; to: string; data: string }[]).map((m) => [
        m.user,
        m.to,
        m.data,
      ]),
    ).toEqual([
      [`all_${allId}`, 'bob', 'from all to bob'],
      ['bob', `all_${allId}`, 'from bob to all'],
    ]);
    const { socket, seen } = await connectRecording(t.url, { token: bob }, 'history');
    try {
      const pages = seen.history as HistoryPage[];
      await until(() => pages.some((page) => page.done), 10_000, 'the catch-up');
      const items = pages.flatMap((page) => page.data);
      expect(items.map((m) => [m.user, m.to])).toEqual([
        [`all_${allId}`, 'bob'],
        ['bob', `all_${allId}`],
        [`all_${allId}`, null],
      ]);
      const ack = (await socket
        .timeout(10_000)
        .emitWithAck('3', { to: `all_${allId}`, data: 'hello again' })) as Ack;
      expect(ack).toMatchObject({ status: 1 });
    } finally {
      socket.close();
    }
  });
});
