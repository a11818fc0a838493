import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { dataSourceOptions } from '../database/data-source-options.js';
import { Message } from './message.entity.js';
import { MessagesRepository, type NewMessage } from './messages.repository.js';
import { retryKey } from './stored-message.js';

/** On SQLite, or on MariaDB/MySQL when DATABASE_URL names one (as the e2e specs). */
describe(MessagesRepository.name, () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let repository: MessagesRepository;
  const users: Record<string, number> = {};
  let now = 1_700_000_000_000;

  const row = (sender: string, recipient: string | null, cid: string): NewMessage => ({
    sender,
    senderId: users[sender],
    recipient,
    text: `${sender} to ${recipient ?? 'all'}: ${cid}`,
    cid,
    createdAt: now++,
    delivered: recipient !== 'carol',
  });

  const keyOf = (r: NewMessage) => retryKey(r.senderId!, r.cid);

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = new DataSource(
      dataSourceOptions(
        db.kind === 'mysql'
          ? { type: 'mysql', url: db.url, poolSize: 3 }
          : { type: 'sqlite', file: db.url.slice('sqlite:'.length) },
      ),
    );
    await dataSource.initialize();
    await dataSource.query(
      "INSERT INTO admin (username, password) VALUES ('alice', 'x'), ('bob', 'x'), ('carol', 'x')",
    );
    const rows: { id: number | string; username: string }[] = await dataSource.query(
      'SELECT id, username FROM admin',
    );
    for (const r of rows) users[r.username] = Number(r.id);
    repository = new MessagesRepository(dataSource.getRepository(Message));
  });
  beforeEach(() => dataSource.query('DELETE FROM messages'));
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  it('says what its INSERT stored (RETURNING) on SQLite and on MariaDB 10.5+', async () => {
    const [{ version }]: { version: string }[] = await dataSource.query(
      db.kind === 'mysql' ? 'SELECT VERSION() AS version' : "SELECT 'sqlite' AS version",
    );
    const mariadb = /^(\d+)\.(\d+).*MariaDB/i.exec(version);
    const expected =
      db.kind === 'sqlite' ||
      (mariadb !== null && Number(mariadb[1]) * 100 + Number(mariadb[2]) >= 1005);
    expect(await repository.insertTellsWhatItStored()).toBe(expected);
  });

  it('returns each row of a batch as stored, ids growing in the order of the rows', async () => {
    if (!(await repository.insertTellsWhatItStored())) return;
    const rows = [
      row('alice', 'bob', 'a1'),
      row('bob', null, 'b1'),
      row('alice', 'carol', 'a2'),
      row('carol', 'nobody', 'c1'),
      row('alice', null, 'a3'),
    ];
    const stored = (await repository.insertSkippingDuplicates(rows))!;
    const inOrder = rows.map((r) => stored.get(keyOf(r))!);
    const ids = inOrder.map((m) => m.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(rows.length);
    expect(inOrder).toEqual(
      rows.map((r, i) => ({
        id: ids[i],
        sender: r.sender,
        senderId: r.senderId,
        recipient: r.recipient,
        recipientId: r.recipient === null ? null : (users[r.recipient] ?? null),
        text: r.text,
        cid: r.cid,
        ts: r.createdAt,
        delivered: r.delivered,
      })),
    );
    // As the reads find them.
    expect(await repository.findByCids(rows.map((r) => r.cid))).toEqual(stored);
  });

  it('returns only the rows it stored: a (cid, sender) already stored is skipped', async () => {
    if (!(await repository.insertTellsWhatItStored())) return;
    const first = (await repository.insertSkippingDuplicates([row('alice', null, 'x1')]))!;
    const again = [row('alice', null, 'x1'), row('bob', null, 'x1'), row('alice', 'bob', 'x2')];
    const stored = (await repository.insertSkippingDuplicates(again))!;
    expect([...stored.keys()].sort()).toEqual(
      [retryKey(users.bob, 'x1'), retryKey(users.alice, 'x2')].sort(),
    );
    const [count] = await dataSource.query<{ n: number | string }[]>(
      'SELECT COUNT(*) AS n FROM messages',
    );
    expect(Number(count.n)).toBe(3);
    expect((await repository.findByCids(['x1'])).get(retryKey(users.alice, 'x1'))).toEqual(
      first.get(retryKey(users.alice, 'x1')),
    );
  });

  it('stores batches of every size one after another, ids in order across them', async () => {
    if (!(await repository.insertTellsWhatItStored())) return;
    const ids: number[] = [];
    // More sizes than mysql2 keeps prepared per connection (maxPreparedStatements): some are
    // prepared again after being dropped.
    const sizes = [1, 2, 3, 1, 7, 2, 20, 1, ...Array.from({ length: 40 }, (_, i) => i + 1), 2, 1];
    for (const size of sizes) {
      const rows = Array.from({ length: size }, (_, i) =>
        row(i % 2 ? 'bob' : 'alice', i % 3 ? 'carol' : null, `s${ids.length + i}`),
      );
      const stored = (await repository.insertSkippingDuplicates(rows))!;
      expect(stored.size).toBe(size);
      ids.push(...rows.map((r) => stored.get(keyOf(r))!.id));
    }
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(await repository.lastId()).toBe(ids[ids.length - 1]);
  });

  it('stores nothing for an empty batch', async () => {
    const stored = await repository.insertSkippingDuplicates([]);
    expect(stored === null || stored.size === 0).toBe(true);
    expect(await repository.lastId()).toBe(0);
  });
});
