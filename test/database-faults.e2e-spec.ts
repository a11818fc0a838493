import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { AckResponse } from '../src/protocol/index.js';
import { connect, login, next } from './support/chat-client.js';
import { createProxiedMysql, type ProxiedMysql } from './support/proxied-mysql.js';
import { buildServer, type ServerProcess, startServerProcess } from './support/server-process.js';
import { MYSQL_URL } from './support/test-database.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const STOPPED_WITHIN_MS = 60_000;

/** Registers `name` and returns a connected socket for it. */
async function registerAndConnect(url: string, name: string): Promise<Socket> {
  const res = await request(url)
    .post('/register')
    .send({ username: name, password: `${name}-password` })
    .expect(201);
  return connect(url, { token: res.headers.authorization });
}

/** The exit code, or 'still running' (and the process killed) after `ms`. */
async function exitWithin(server: ServerProcess, ms: number): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    server.exited,
    new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still running'), ms))),
  ]);
  clearTimeout(timer);
  if (code === 'still running') server.child.kill('SIGKILL');
  return code;
}

const send = (socket: Socket, data: string, cid: string) =>
  socket.timeout(10000).emitWithAck('2', { data, cid }) as Promise<AckResponse>;

async function adminQuery(sql: string): Promise<void> {
  const admin = await mysql.createConnection({ uri: MYSQL_URL.replace(/\/[^/]*$/, '/') });
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

describe('the SQLite connection', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chat-pragma-'));
    t = await startTestApp({ DATABASE_URL: `sqlite:${join(dir, 'chat.sqlite')}` });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('syncs every commit to disk: synchronous=FULL in WAL mode, as docs/protocol.md says', async () => {
    const dataSource = t.app.get(DataSource);
    expect(dataSource.options.type).toBe('better-sqlite3');
    expect(await dataSource.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    // 2 is FULL (1 would be NORMAL: commits synced only at checkpoints).
    expect(await dataSource.query('PRAGMA synchronous')).toEqual([{ synchronous: 2 }]);
  });
});

describe('a MariaDB database dropped while the server runs', () => {
  let db: ProxiedMysql | null = null;
  let name = '';
  const open: Socket[] = [];
  beforeAll(async () => {
    buildServer();
    db = await createProxiedMysql('the dropped-database test');
    if (db) name = new URL(db.database.url).pathname.slice(1);
  }, 180_000);
  afterAll(async () => {
    for (const socket of open) socket.close();
    await db?.drop();
  });

  it('answers 503 and refuses messages with retry, in process', async () => {
    if (!db) return;
    const t = await startTestApp({}, { database: db.database });
    try {
      await t.createUser('dana', 'dana-password');
      const token = await login(t.url, 'dana', 'dana-password');
      const socket = await connect(t.url, { token });
      open.push(socket);
      await adminQuery(`DROP DATABASE ${name}`);
      for (const call of [
        () => request(t.url).post('/login').send({ username: 'dana', password: 'dana-password' }),
        () => request(t.url).get('/userinfo').set('Authorization', token),
        () => request(t.url).get('/messages?with=all').set('Authorization', token),
      ]) {
        const res = await call();
        expect(res.status).toBe(503);
        expect(res.body).toMatchObject({
          status: 0,
          code: 'service_unavailable',
          msg: expect.stringMatching(/unavailable/),
        });
      }
      expect(await send(socket, 'into a dropped database', 'dropped-1')).toEqual({
        status: 0,
        code: 'not_stored',
        msg: expect.any(String),
        retry: true,
      });
    } finally {
      await t.close();
      await adminQuery(`CREATE DATABASE IF NOT EXISTS ${name} CHARACTER SET utf8mb4`);
    }
  }, 180_000);

  it('stops with a clear message and exit 1; started again, it migrates the new database', async () => {
    if (!db) return;
    const env = { DATABASE_URL: db.database.url, DATA_DIR: mkdtempSync(join(tmpdir(), 'chat-')) };
    const server = await startServerProcess(env);
    const socket = await registerAndConnect(server.url, 'erin');
    open.push(socket);
    const disconnected = new Promise<string>((resolve) => socket.on('disconnect', resolve));
    expect(await send(socket, 'before the drop', 'before-1')).toMatchObject({ status: 1 });

    await adminQuery(`DROP DATABASE ${name}`);
    const refused = await send(socket, 'after the drop', 'after-1').catch(() => null);
    // Refused (or the socket already closed by the stop), never acknowledged.
    expect(refused?.status ?? 0).toBe(0);
    const exitCode = await exitWithin(server, STOPPED_WITHIN_MS);
    expect(exitCode).toBe(1);
    expect(server.output()).toMatch(/database was dropped.*stopping/);
    // Open sockets were told and closed, not left hanging on a server that cannot serve them.
    expect(await disconnected).toBe('io server disconnect');

    // What a supervisor does: start it again once the database exists; the migrations run.
    await adminQuery(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
    const again = await startServerProcess(env);
    try {
      const socket2 = await registerAndConnect(again.url, 'erin');
      open.push(socket2);
      expect(await send(socket2, 'after the restart', 'restart-1')).toMatchObject({ status: 1 });
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
      rmSync(env.DATA_DIR, { recursive: true, force: true });
    }
  }, 240_000);
});

describe('the SQLite data directory removed while the server runs', () => {
  const open: Socket[] = [];
  beforeAll(() => buildServer(), 180_000);
  afterAll(() => {
    for (const socket of open) socket.close();
  });

  it('refuses messages with retry and logins with 503 rather than acknowledge, in process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chat-removed-'));
    const t = await startTestApp({ DATABASE_URL: `sqlite:${join(dir, 'data', 'chat.sqlite')}` });
    try {
      const socket = await registerAndConnect(t.url, 'fay');
      open.push(socket);
      expect(await send(socket, 'before', 'before-1')).toMatchObject({ status: 1 });
      rmSync(join(dir, 'data'), { recursive: true, force: true });
      expect(await send(socket, 'into a removed file', 'removed-1')).toEqual({
        status: 0,
        code: 'not_stored',
        msg: expect.any(String),
        retry: true,
      });
      const res = await request(t.url)
        .post('/login')
        .send({ username: 'fay', password: 'fay-password' });
      expect(res.status).toBe(503);
    } finally {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops with a clear message and exit 1', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chat-removed-'));
    const server = await startServerProcess({
      DATA_DIR: dataDir,
      DATABASE_URL: `sqlite:${join(dataDir, 'chat.sqlite')}`,
    });
    const socket = await registerAndConnect(server.url, 'gus');
    open.push(socket);
    const told = next<{ data: string }>(socket, '0', (m) => /restarting/.test(m.data), 30000);
    expect(await send(socket, 'before', 'before-1')).toMatchObject({ status: 1 });
    rmSync(dataDir, { recursive: true, force: true });
    const after = await send(socket, 'after', 'after-1').catch(() => null);
    expect(after?.status ?? 0).toBe(0);
    const exitCode = await exitWithin(server, STOPPED_WITHIN_MS);
    expect(exitCode).toBe(1);
    expect(server.output()).toMatch(/SQLite file .* was removed.*stopping/);
    await told;
    rmSync(dataDir, { recursive: true, force: true });
  }, 180_000);
});
