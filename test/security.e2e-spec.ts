import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { AckResponse } from '../src/protocol/index.js';
import { connect, login, next } from './support/chat-client.js';
import { buildServer, startServerProcess } from './support/server-process.js';
import { createTestDatabase } from './support/test-database.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('origins, headers and sizes', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp({ CORS_ORIGINS: 'https://chat.example.com, http://localhost:5173' });
    await t.createUser('alice', 'alice-password');
    token = await login(t.url, 'alice', 'alice-password');
  });
  afterAll(() => t.close());

  it('serves its own origin and listed ones, with CORS headers for the listed', async () => {
    const own = await request(t.url)
      .get('/userinfo')
      .set('Authorization', token)
      .set('Origin', t.url);
    expect(own.status).toBe(200);
    const listed = await request(t.url)
      .post('/login')
      .set('Origin', 'https://chat.example.com')
      .send({ username: 'alice', password: 'alice-password' })
      .expect(200);
    expect(listed.headers['access-control-allow-origin']).toBe('https://chat.example.com');
    expect(listed.headers['access-control-expose-headers']).toMatch(/Authorization/);
  });

  it('refuses other origins on HTTP with 403, preflight included', async () => {
    const res = await request(t.url)
      .post('/login')
      .set('Origin', 'https://evil.example')
      .send({ username: 'alice', password: 'alice-password' })
      .expect(403);
    expect(res.body).toEqual({ status: 0, code: 'origin_refused', msg: 'origin not allowed' });
    expect(res.headers.authorization).toBeUndefined();
    await request(t.url).options('/login').set('Origin', 'https://evil.example').expect(403);
  });

  it('refuses other origins at the socket handshake', async () => {
    await expect(
      connect(t.url, { token, headers: { Origin: 'https://evil.example' } }),
    ).rejects.toMatchObject({ message: 'origin not allowed', data: { code: 'origin_refused' } });
    const listed = await connect(t.url, { token, headers: { Origin: 'http://localhost:5173' } });
    listed.close();
    const own = await connect(t.url, { token, headers: { Origin: t.url } });
    own.close();
  });

  it('sends helmet headers and a CSP that allows only our own scripts and styles', async () => {
    const res = await request(t.url).get('/chat.html').expect(200);
    const csp = res.headers['content-security-policy'];
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/style-src 'self'(;|$)/);
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('refuses bodies over 16 KB with 413 and the error body', async () => {
    const res = await request(t.url)
      .post('/login')
      .send({ username: 'alice', password: 'p'.repeat(17 * 1024) })
      .expect(413);
    expect(res.body).toEqual({ status: 0, code: 'payload_too_large', msg: expect.any(String) });
    // Under the limit, an over-long password is refused before any hashing.
    await request(t.url)
      .post('/register')
      .send({ username: 'long', password: 'p'.repeat(15 * 1024) })
      .expect(400);
  });
});

describe('tokens never reach the logs', () => {
  it('keeps tokens out of everything the server prints', async () => {
    buildServer();
    const db = await createTestDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'chat-logs-'));
    const server = await startServerProcess({ DATABASE_URL: db.url, DATA_DIR: dataDir });
    try {
      const res = await request(server.url)
        .post('/register')
        .send({ username: 'logged', password: 'logged-password' });
      const token = res.headers.authorization;
      const [, , signature] = token.split('.');
      await request(server.url).get('/userinfo').set('Authorization', token).expect(200);
      await request(server.url).get(`/userinfo?token=${token}`).expect(401);
      await request(server.url)
        .get(`/messages?with=nobody%20here&token=${token}`)
        .set('Authorization', token)
        .expect(400);
      const viaQuery = await connect(server.url, { query: { token } });
      viaQuery.emit('2', null);
      viaQuery.close();
      await expect(connect(server.url, { query: { token: token + 'x' } })).rejects.toThrow(
        'unauthorized',
      );
      await request(server.url).post('/logout').set('Authorization', token).expect(200);
      await expect(connect(server.url, { query: { token } })).rejects.toThrow('unauthorized');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(server.output()).not.toContain(signature);
      expect(server.output()).toMatch(/chat server on/);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60000);
});

describe('deeply nested JSON', () => {
  /** `levels` nested arrays, or objects, around a string. */
  const nestedArrays = (levels: number) => '['.repeat(levels) + '"x"' + ']'.repeat(levels);
  const nestedObjects = (levels: number) => '{"a":'.repeat(levels) + '"x"' + '}'.repeat(levels);
  let t: TestApp;
  let token: string;
  /** What the server writes to stderr (where its error log goes) during a test. */
  let logged = '';
  const write = process.stderr.write.bind(process.stderr);
  beforeAll(async () => {
    t = await startTestApp();
    await t.createUser('nester', 'nester-password');
    token = await login(t.url, 'nester', 'nester-password');
    process.stderr.write = (chunk: string | Uint8Array, ...rest: never[]) => {
      logged += String(chunk);
      return write(chunk, ...rest);
    };
  });
  afterAll(async () => {
    process.stderr.write = write;
    await t.close();
  });

  it('is refused with 400 on HTTP, before validation', async () => {
    for (const deep of [nestedArrays(2000), nestedObjects(2000)]) {
      for (const path of ['/login', '/register']) {
        const refused = await request(t.url)
          .post(path)
          .set('content-type', 'application/json')
          .send(`{"username":${deep},"password":"nester-password"}`);
        expect({ path, status: refused.status, body: refused.body }).toEqual({
          path,
          status: 400,
          body: { status: 0, code: 'too_deeply_nested', msg: expect.stringMatching(/nested/) },
        });
      }
    }
    // Reasonable nesting is not refused for being nested: an ordinary validation error.
    const shallow = await request(t.url)
      .post('/login')
      .send({ username: { a: { b: { c: 'x' } } }, password: 'nester-password' })
      .expect(400);
    expect(shallow.body.msg).not.toMatch(/nested/);
    expect(logged).not.toMatch(/RangeError|call stack|\n\s+at /);
  });

  it('is refused on sockets with event 0 and the acknowledgement, and logs no stack trace', async () => {
    const socket = await connect(t.url, { token });
    try {
      for (const deep of [nestedArrays(2000), nestedObjects(2000)]) {
        const payloads = [
          ['2', { data: JSON.parse(deep) as unknown }],
          ['3', { to: 'nester', data: 'hi', extra: JSON.parse(deep) as unknown }],
          ['typing', { to: JSON.parse(deep) as unknown }],
        ] as const;
        for (const [event, payload] of payloads) {
          const told = next<{ data: string }>(socket, '0');
          const ack = (await socket.timeout(5000).emitWithAck(event, payload)) as AckResponse;
          expect({ event, ack }).toEqual({
            event,
            ack: { status: 0, code: 'too_deeply_nested', msg: expect.stringMatching(/nested/) },
          });
          expect((await told).data).toMatch(/nested/);
        }
      }
      // The socket stays usable.
      expect(await socket.timeout(5000).emitWithAck('2', { data: 'still here' })).toMatchObject({
        status: 1,
      });
    } finally {
      socket.close();
    }
    expect(logged).not.toMatch(/RangeError|call stack|\n\s+at /);
  });
});
