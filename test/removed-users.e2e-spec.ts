import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import type { AckResponse as Ack, HistoryItem as Item } from '../src/protocol/index.js';
import { runUserCommand } from '../src/cli/user-command.js';
import { AddMessageUserIds1764000000003 } from '../src/database/migrations/1764000000003-add-message-user-ids.js';
import { connectRecording, login, until } from './support/chat-client.js';
import { migrateUpTo } from './support/migrations.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Everything the `history` events of one connect carried (a reconnect with lastId 0 included). */
async function historyOnConnect(url: string, token: string, lastId?: number): Promise<Item[]> {
  const { socket, seen } = await connectRecording(url, { token, lastId }, 'history');
  try {
    await until(() => seen.history.length > 0, 10_000, 'history');
    return (seen.history as { data: Item[] }[]).flatMap((h) => h.data);
  } finally {
    socket.close();
  }
}

const conversation = (url: string, token: string, withWhom: string) =>
  request(url)
    .get(`/messages?with=${encodeURIComponent(withWhom)}&limit=200`)
    .set('Authorization', token)
    .expect(200)
    .then((res) => res.body.data as Item[]);

describe('a removed user and a newcomer who takes their name', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const open: Socket[] = [];
  const user = (...argv: string[]) =>
    runUserCommand(argv, { DATABASE_URL: t.database.url, DATA_DIR: t.config.dataDir });
  const send = (socket: Socket, event: '2' | '3', payload: object) =>
    socket.timeout(5000).emitWithAck(event, payload) as Promise<Ack>;
  async function join(name: string): Promise<Socket> {
    const { socket } = await connectRecording(t.url, { token: tokens[name] });
    open.push(socket);
    return socket;
  }

  beforeAll(async () => {
    t = await startTestApp();
    await user('add', 'olga', 'olga-password');
    await user('add', 'pat', 'pat-password');
    tokens.olga = await login(t.url, 'olga', 'olga-password');
    tokens.pat = await login(t.url, 'pat', 'pat-password');
    const olga = await join('olga');
    const pat = await join('pat');
    expect((await send(olga, '3', { to: 'pat', data: 'old olga to pat', cid: 'c-1' })).status).toBe(
      1,
    );
    expect((await send(pat, '3', { to: 'olga', data: 'pat to old olga' })).status).toBe(1);
    expect((await send(olga, '2', { data: 'old olga in the group' })).status).toBe(1);
    olga.close();
    // Waits for the old account, offline (never for the newcomer).
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await send(pat, '3', { to: 'olga', data: 'waiting for old olga' })).status).toBe(1);
    expect(await user('remove', 'olga')).toBe('removed olga');
    await request(t.url)
      .post('/register')
      .send({ username: 'olga', password: 'new-olga-password' })
      .expect(201);
    tokens.olga = await login(t.url, 'olga', 'new-olga-password');
  });
  afterEach(() => {
    for (const socket of open.splice(0)) socket.close();
  });
  afterAll(() => t.close());

  it('keeps the old account out of the newcomer’s history on connect', async () => {
    for (const lastId of [undefined, 0]) {
      const items = await historyOnConnect(t.url, tokens.olga, lastId);
      expect(items.filter((m) => m.to !== null)).toEqual([]);
      // The group stays public, but shows the old author as a removed account.
      const group = items.filter((m) => m.data === 'old olga in the group');
      expect(group).toEqual([expect.objectContaining({ user: 'olga', removed: true })]);
    }
  });

  it('keeps the old account out of the newcomer’s GET /messages', async () => {
    expect(await conversation(t.url, tokens.olga, 'pat')).toEqual([]);
    expect(await conversation(t.url, tokens.olga, 'olga')).toEqual([]);
    const group = await conversation(t.url, tokens.olga, 'all');
    expect(group.find((m) => m.data === 'old olga in the group')?.removed).toBe(true);
  });

  it('lets the counterpart read them under the old name, marked removed, apart from the newcomer', async () => {
    const newcomer = await join('olga');
    const ack = await send(newcomer, '3', { to: 'pat', data: 'new olga to pat', cid: 'c-1' });
    // The old account's client id is not the newcomer's: a new message, not a retry.
    expect(ack.status).toBe(1);
    const items = await conversation(t.url, tokens.pat, 'olga');
    expect(items.map((m) => [m.user, m.to, m.data, m.removed])).toEqual([
      ['olga', 'pat', 'old olga to pat', true],
      ['pat', 'olga', 'pat to old olga', true],
      ['pat', 'olga', 'waiting for old olga', true],
      ['olga', 'pat', 'new olga to pat', undefined],
    ]);
    const onConnect = await historyOnConnect(t.url, tokens.pat);
    const privates = onConnect.filter((m) => m.to !== null);
    expect(privates.map((m) => [m.data, m.removed])).toEqual([
      ['old olga to pat', true],
      ['pat to old olga', true],
      ['waiting for old olga', true],
      ['new olga to pat', undefined],
    ]);
    // ...and the newcomer sees their own message only.
    expect((await conversation(t.url, tokens.olga, 'pat')).map((m) => m.data)).toEqual([
      'new olga to pat',
    ]);
  });
});

describe('migrating stored messages to user ids', () => {
  let db: TestDatabase;
  let dataDir: string;
  let t: TestApp;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'chat-data-'));
    // The schema as it was before AddMessageUserIds1764000000003: messages by name only.
    await migrateUpTo(db, dataDir, AddMessageUserIds1764000000003);
    // Plain-text passwords, as adopted from the original design: replaced on first login.
    for (const name of ['ann', 'ben']) {
      await db.query('INSERT INTO admin (username, password) VALUES (?, ?)', [name, `${name}-pw`]);
    }
    const rows: [string, string | null, string, number][] = [
      ['ann', 'ben', 'ann to ben', 1],
      ['ben', 'ann', 'ben to ann', 1],
      ['ann', null, 'ann in the group', 1],
      // `gone` was removed before the migration: no user has the name any more.
      ['gone', 'ann', 'gone to ann', 1],
      ['ann', 'gone', 'ann to gone', 1],
      ['gone', null, 'gone in the group', 1],
      ['ben', 'ann', 'ben to ann, waiting', 0],
    ];
    for (const [i, [sender, recipient, text, delivered]] of rows.entries()) {
      await db.query(
        'INSERT INTO messages (sender, recipient, text, cid, created_at, delivered) VALUES (?, ?, ?, ?, ?, ?)',
        [sender, recipient, text, `cid-${i}`, 1_700_000_000_000 + i, delivered],
      );
    }
    t = await startTestApp({}, { database: db, dataDir });
    tokens.ann = await login(t.url, 'ann', 'ann-pw');
  });
  afterAll(async () => {
    await t?.close();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('fills the user ids by name, and leaves the ids of names without a user empty', async () => {
    const ids = Object.fromEntries(
      (await db.query<{ id: number; username: string }>('SELECT id, username FROM admin')).map(
        (u) => [u.username, Number(u.id)],
      ),
    );
    const rows = await db.query<{
      sender_id: number | null;
      recipient_id: number | null;
      text: string;
    }>('SELECT sender_id, recipient_id, text FROM messages ORDER BY id');
    const id = (v: number | null) => (v === null ? null : Number(v));
    expect(rows.map((r) => [r.text, id(r.sender_id), id(r.recipient_id)])).toEqual([
      ['ann to ben', ids.ann, ids.ben],
      ['ben to ann', ids.ben, ids.ann],
      ['ann in the group', ids.ann, null],
      ['gone to ann', null, ids.ann],
      ['ann to gone', ids.ann, null],
      ['gone in the group', null, null],
      ['ben to ann, waiting', ids.ben, ids.ann],
    ]);
  });

  it('serves the migrated messages by user id, the removed name marked', async () => {
    const withBen = await conversation(t.url, tokens.ann, 'ben');
    expect(withBen.map((m) => [m.data, m.removed])).toEqual([
      ['ann to ben', undefined],
      ['ben to ann', undefined],
      ['ben to ann, waiting', undefined],
    ]);
    const withGone = await conversation(t.url, tokens.ann, 'gone');
    expect(withGone.map((m) => [m.data, m.removed])).toEqual([
      ['gone to ann', true],
      ['ann to gone', true],
    ]);
    const items = await historyOnConnect(t.url, tokens.ann);
    expect(items.find((m) => m.data === 'ben to ann, waiting')?.unread).toBe(true);
    expect(items.find((m) => m.data === 'gone in the group')?.removed).toBe(true);
  });

  it('gives a newcomer named like the removed account none of its private messages', async () => {
    await t.createUser('gone', 'gone-password');
    const token = await login(t.url, 'gone', 'gone-password');
    expect(await conversation(t.url, token, 'ann')).toEqual([]);
    const items = await historyOnConnect(t.url, token);
    expect(items.filter((m) => m.to !== null)).toEqual([]);
  });
});
