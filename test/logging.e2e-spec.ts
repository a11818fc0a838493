import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { AckResponse } from '../src/protocol/index.js';
import { connect, sleep } from './support/chat-client.js';
import { buildServer, type ServerProcess, startServerProcess } from './support/server-process.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

type Line = Record<string, unknown> & {
  msg?: string;
  req?: { id?: string; method?: string; url?: string };
  res?: { statusCode?: number };
};

/**
 * A real server process (stdout is a pipe: JSON lines) at LOG_LEVEL=info, taken through a
 * login, requests with the token in the header and in the query, sockets with the token in
 * `auth` and in the query, a chat message and a wrong password; then its whole output is read.
 */
describe('structured logs', () => {
  const unique = randomBytes(6).toString('hex');
  const password = `pw-${unique}-right`;
  const wrongPassword = `pw-${unique}-wrong`;
  const text = `message text ${unique}`;
  let db: TestDatabase;
  let dataDir: string;
  let server: ServerProcess;
  let token: string;
  let lines: Line[];
  let output: string;

  beforeAll(async () => {
    buildServer();
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'chat-logging-'));
    server = await startServerProcess({
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
    });
    await request(server.url).post('/register').send({ username: 'logger', password }).expect(201);
    const res = await request(server.url)
      .post('/login')
      .send({ username: 'logger', password })
      .expect(200);
    token = res.headers.authorization;
    await request(server.url).get('/userinfo').set('Authorization', token).expect(200);
    await request(server.url)
      .get(`/userinfo?token=${encodeURIComponent(token)}`)
      .expect(401);
    await request(server.url)
      .get(`/messages?with=logger&token=${encodeURIComponent(token)}`)
      .set('Authorization', token)
      .expect(200);
    await request(server.url)
      .post('/login')
      .send({ username: 'logger', password: wrongPassword })
      .expect(401);

    const viaAuth = await connect(server.url, { token });
    const ack = (await viaAuth.timeout(5000).emitWithAck('2', { data: text })) as AckResponse;
    expect(ack).toMatchObject({ status: 1 });
    const viaQuery = await connect(server.url, { query: { token } });
    await sleep(100);
    viaAuth.close();
    viaQuery.close();
    await expect(connect(server.url, { token: token + 'x' })).rejects.toThrow('unauthorized');
    await sleep(300);
    server.child.kill('SIGTERM');
    await server.exited;
    output = server.output();
    lines = output
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Line);
  }, 90_000);

  afterAll(async () => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL');
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes every line as JSON, with a level, a time and the instance id', () => {
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      expect(line).toMatchObject({
        level: expect.any(String),
        time: expect.any(String),
        instance: expect.any(String),
      });
    }
    expect(new Set(lines.map((line) => line.instance)).size).toBe(1);
    expect(lines.some((line) => /chat server on/.test(line.msg ?? ''))).toBe(true);
  });

  it('writes one line per HTTP request: id, method, route, URL, status, duration, user', () => {
    const requests = lines.filter((line) => line.req !== undefined);
    const userinfo = requests.find(
      (line) => line.req?.url === '/userinfo' && line.res?.statusCode === 200,
    );
    expect(userinfo).toMatchObject({
      level: 'info',
      req: { id: expect.any(String), method: 'GET', url: '/userinfo' },
      route: '/userinfo',
      user: 'logger',
      durationMs: expect.any(Number),
    });
    expect(requests.map((line) => line.req?.url)).toEqual(
      expect.arrayContaining([
        '/userinfo?token=[redacted]',
        '/messages?with=logger&token=[redacted]',
      ]),
    );
    const logins = requests.filter((line) => line.req?.url === '/login');
    expect(logins.map((line) => line.res?.statusCode).sort()).toEqual([200, 401]);
    // Each request its own id.
    const ids = requests.map((line) => line.req?.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('writes one line per socket connect and disconnect, and one per refusal', () => {
    const connects = lines.filter(
      (line) => line.event === 'connect' && line.outcome === 'accepted',
    );
    expect(connects).toHaveLength(2);
    for (const line of connects) {
      expect(line).toMatchObject({
        level: 'info',
        socket: expect.any(String),
        user: 'logger',
        address: expect.any(String),
        instance: expect.any(String),
      });
    }
    const disconnects = lines.filter((line) => line.event === 'disconnect');
    expect(disconnects.map((line) => line.socket).sort()).toEqual(
      connects.map((line) => line.socket).sort(),
    );
    for (const line of disconnects) {
      expect(line).toMatchObject({
        user: 'logger',
        reason: 'client namespace disconnect',
        durationMs: expect.any(Number),
      });
    }
    expect(lines).toContainEqual(
      expect.objectContaining({ event: 'connect', outcome: 'refused', reason: 'unauthorized' }),
    );
  });

  it('never writes the token, a password or the message text', () => {
    const [, , signature] = token.replace(/^Bearer /, '').split('.');
    for (const secret of [signature, password, wrongPassword, text, unique]) {
      expect(output).not.toContain(secret);
    }
  });
});
