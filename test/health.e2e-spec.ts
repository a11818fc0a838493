import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { connect, login } from './support/chat-client.js';
import { createProxiedMysql, type ProxiedMysql } from './support/proxied-mysql.js';
import { buildServer, startServerProcess } from './support/server-process.js';
import { createTestDatabase } from './support/test-database.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { untilStatus } from './support/http-status.js';

describe('health on SQLite', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('live: the process answers, without a token', async () => {
    const res = await request(t.url).get('/health/live').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', info: { process: { status: 'up' } } });
  });

  it('ready: database, migrations, not draining (no redis without REDIS_URL)', async () => {
    const res = await request(t.url).get('/health/ready').expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      info: {
        database: { status: 'up' },
        migrations: { status: 'up' },
        shutdown: { status: 'up' },
      },
      error: {},
    });
    expect(res.body.info.redis).toBeUndefined();
  });
});

describe('health with the SQLite file removed', () => {
  it('ready names the database as gone (not the 503 of every other route); live stays 200', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chat-health-'));
    const t = await startTestApp({ DATABASE_URL: `sqlite:${join(dir, 'chat.sqlite')}` });
    try {
      rmSync(dir, { recursive: true, force: true });
      const gone = await untilStatus(t.url, '/health/ready', 503, 5000);
      expect(gone.body.error.database).toMatchObject({
        status: 'down',
        message: expect.stringMatching(/removed/),
      });
      await request(t.url).get('/health/live').expect(200);
      await request(t.url).get('/settings').expect(503);
    } finally {
      await t.close();
    }
  }, 30_000);
});

describe('health with the MariaDB database away', () => {
  let db: ProxiedMysql | null = null;
  let t: TestApp | null = null;
  beforeAll(async () => {
    db = await createProxiedMysql('the health database-away test');
    if (db) t = await startTestApp({ DB_TIMEOUT_MS: '1000' }, { database: db.database });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('ready answers 503 naming the database while live stays 200; back, ready is 200', async () => {
    if (!db || !t) return;
    await request(t.url).get('/health/ready').expect(200);
    db.proxy.cut();
    const away = await untilStatus(t.url, '/health/ready', 503);
    expect(away.body).toMatchObject({
      status: 'error',
      error: { database: { status: 'down', message: expect.any(String) } },
      info: { migrations: { status: 'up' }, shutdown: { status: 'up' } },
    });
    await request(t.url).get('/health/live').expect(200);

    db.proxy.restore();
    const back = await untilStatus(t.url, '/health/ready', 200, 20_000);
    expect(back.body.info.database.status).toBe('up');
  }, 60_000);
});

describe('health during a stop (SIGTERM)', () => {
  beforeAll(() => buildServer(), 180_000);

  it('ready turns 503 at the signal, while sockets are still served; then the process exits', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chat-health-'));
    const db = await createTestDatabase();
    const server = await startServerProcess({
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      DRAIN_DELAY_MS: '1500',
    });
    try {
      await request(server.url)
        .post('/register')
        .send({ username: 'dana', password: 'dana-password' })
        .expect(201);
      const token = await login(server.url, 'dana', 'dana-password');
      const socket = await connect(server.url, { token });
      let disconnectedAt = 0;
      socket.on('disconnect', () => (disconnectedAt = Date.now()));
      await request(server.url).get('/health/ready').expect(200);

      const signalledAt = Date.now();
      server.child.kill('SIGTERM');
      const draining = await untilStatus(server.url, '/health/ready', 503, 1000);
      expect(draining.body).toMatchObject({
        status: 'error',
        error: { shutdown: { status: 'down', message: expect.stringMatching(/draining/) } },
      });
      // Before the drain: the client is still connected, the process still alive and live.
      expect(disconnectedAt).toBe(0);
      await request(server.url).get('/health/live').expect(200);

      expect(await server.exited).toBe(0);
      expect(disconnectedAt - signalledAt).toBeGreaterThanOrEqual(1400);
      socket.close();
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      await db.drop();
    }
  }, 120_000);
});
