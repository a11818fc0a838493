import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { connect, login as chatLogin, next } from './support/chat-client.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** The table the original design's app.js reads: plain-text passwords, narrow columns. */
const ORIGINAL_TABLE = {
  mysql:
    'CREATE TABLE admin (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, username VARCHAR(20), password VARCHAR(20)) DEFAULT CHARSET=utf8mb3',
  sqlite: 'CREATE TABLE admin (id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT, password TEXT)',
};
const ORIGINAL_USERS = [
  ['admin', '123456'],
  ['lam', 'abc'],
  ['王五', 'wangwu'],
];

describe('adopting a database created by the original design', () => {
  let db: TestDatabase;
  let t: TestApp;

  const passwordOf = async (username: string) =>
    (
      await db.query<{ password: string }>('SELECT password FROM admin WHERE username = ?', [
        username,
      ])
    )[0].password;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.query(ORIGINAL_TABLE[db.kind]);
    for (const [username, password] of ORIGINAL_USERS) {
      await db.query('INSERT INTO admin (username, password) VALUES (?, ?)', [username, password]);
    }
    t = await startTestApp({}, { database: db });
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  it('keeps every row', async () => {
    const rows = await db.query<{ username: string }>('SELECT username FROM admin ORDER BY id');
    expect(rows.map((r) => r.username)).toEqual(ORIGINAL_USERS.map(([u]) => u));
  });

  it('logs in with a plain-text password and replaces it by an argon2id hash', async () => {
    expect(await passwordOf('admin')).toBe('123456');
    await request(t.url).post('/login').send({ username: 'admin', password: '123456' }).expect(200);
    const stored = await passwordOf('admin');
    expect(stored).toMatch(/^\$argon2id\$/);
    // ...and the same password still works against the hash.
    await request(t.url).post('/login').send({ username: 'admin', password: '123456' }).expect(200);
    await request(t.url)
      .post('/login')
      .send({ username: 'admin', password: '1234567' })
      .expect(401);
  });

  it('refuses a wrong password and leaves the stored one alone', async () => {
    await request(t.url).post('/login').send({ username: 'lam', password: 'abd' }).expect(401);
    expect(await passwordOf('lam')).toBe('abc');
  });

  it('keeps names in any script', async () => {
    const res = await request(t.url)
      .post('/login')
      .send({ username: '王五', password: 'wangwu' })
      .expect(200);
    expect(res.body.data.username).toBe('王五');
    expect(await passwordOf('王五')).toMatch(/^\$argon2id\$/);
  });

  it('refuses a second account with an adopted name and registers new ones after the old ids', async () => {
    await request(t.url)
      .post('/register')
      .send({ username: 'lam', password: 'long-enough' })
      .expect(409);
    const res = await request(t.url)
      .post('/register')
      .send({ username: '新用户', password: 'long-enough' })
      .expect(201);
    // InnoDB may spend an id on the refused duplicate; SQLite does not.
    expect(res.body.data.id).toBeGreaterThan(3);
  });

  it('starts again on the adopted database without migrating twice', async () => {
    await t.close();
    t = await startTestApp({}, { database: db });
    await request(t.url).post('/login').send({ username: 'admin', password: '123456' }).expect(200);
    await request(t.url).post('/login').send({ username: 'lam', password: 'abc' }).expect(200);
  });
});

describe('adopting names the original could not tell apart, and names the protocol reserves', () => {
  let db: TestDatabase;
  let t: TestApp;
  /** Distinct names to us; one name to the original's case- and accent-insensitive collation. */
  const DISTINCT = [
    ['alice', 'alice-lower'],
    ['Alice', 'alice-upper'],
    ['José', 'jose-accent'],
    ['Jose', 'jose-plain'],
  ];
  const idOf: Record<string, number> = {};
  const login = (username: string, password: string) =>
    request(t.url).post('/login').send({ username, password });

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.query(ORIGINAL_TABLE[db.kind]);
    for (const [username, password] of [
      ...DISTINCT,
      ['all', 'all-pass'],
      ['', 'no-name'],
      ['bob', 'bob-pass'],
    ]) {
      await db.query('INSERT INTO admin (username, password) VALUES (?, ?)', [username, password]);
    }
    const rows = await db.query<{ id: number; username: string }>('SELECT id, username FROM admin');
    for (const row of rows) idOf[row.username] = Number(row.id);
    t = await startTestApp({}, { database: db });
  });
  afterAll(async () => {
    await t?.close();
    await db.drop();
  });

  it('keeps names that differ in case or accents apart, each with its own password', async () => {
    for (const [username, password] of DISTINCT) {
      const res = await login(username, password).expect(200);
      expect(res.body.data.username).toBe(username);
    }
    await login('Alice', 'alice-lower').expect(401);
    await login('Jose', 'jose-accent').expect(401);
  });

  it('renames the users called "all" and "" and they log in under the new name', async () => {
    const renamed = { all: `all_${idOf.all}`, '': `user_${idOf['']}` };
    const rows = await db.query<{ username: string }>('SELECT username FROM admin ORDER BY id');
    expect(rows.map((r) => r.username)).toEqual([
      ...DISTINCT.map(([u]) => u),
      renamed.all,
      renamed[''],
      'bob',
    ]);
    await login('all', 'all-pass').expect(401);
    const res = await login(renamed.all, 'all-pass').expect(200);
    expect(res.body.data.username).toBe(renamed.all);
    await login(renamed[''], 'no-name').expect(200);
  });

  it('lets others message a renamed user privately', async () => {
    const name = `all_${idOf.all}`;
    const [renamed, bob] = await Promise.all([
      connect(t.url, { token: await chatLogin(t.url, name, 'all-pass') }),
      connect(t.url, { token: await chatLogin(t.url, 'bob', 'bob-pass') }),
    ]);
    try {
      const got = next<{ user: string; to: string; data: string }>(renamed, '3');
      bob.emit('3', { data: 'still there?', to: name });
      expect(await got).toMatchObject({ user: 'bob', to: name, data: 'still there?' });
    } finally {
      renamed.close();
      bob.close();
    }
  });

  it('takes no new look-alike of an adopted name', async () => {
    const register = (username: string) =>
      request(t.url).post('/register').send({ username, password: 'long-enough' });
    await register('ALICE').expect(409);
    await register('JOSÉ').expect(409);
    await register('alice\uFE0F').expect(400);
    await register('all').expect(400);
  });
});
