import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { connect, until } from './support/chat-client.js';
import { buildServer, startServerProcess } from './support/server-process.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

type Ack = { status: 1; id: number; ts: number } | { status: 0; msg: string };

describe('kill -9 during a flood', () => {
  let db: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    buildServer();
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'chat-crash-'));
    env = { DATABASE_URL: db.url, DATA_DIR: dataDir };
  }, 180_000);
  afterAll(async () => {
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every message that was acknowledged', async () => {
    const server = await startServerProcess(env);
    const registered = await request(server.url)
      .post('/register')
      .send({ username: 'flooder', password: 'flood-password' })
      .expect(201);
    const socket = await connect(server.url, { token: registered.headers.authorization });
    const acked = new Map<string, number>();
    let answered = 0;
    for (let i = 0; i < 2000; i++) {
      const cid = `flood-${i}`;
      socket.emit('2', { data: `message ${i}`, cid }, (ack: Ack) => {
        answered++;
        if (ack.status === 1) acked.set(cid, ack.id);
      });
    }
    // Kill it mid-flood: some messages acknowledged, others in flight.
    await until(() => acked.size >= 300, 60_000, '300 acknowledgements');
    server.child.kill('SIGKILL');
    expect(await server.exited).toBe('SIGKILL');
    socket.close();
    expect(answered).toBeLessThan(2000);

    // It starts again on the same database, and every acknowledged message is there.
    const again = await startServerProcess(env);
    try {
      const rows = await db.query<{ id: number; cid: string; text: string }>(
        "SELECT id, cid, text FROM messages WHERE sender = 'flooder' ORDER BY id",
      );
      const stored = new Map(rows.map((row) => [row.cid, Number(row.id)]));
      for (const [cid, id] of acked) expect(stored.get(cid)).toBe(id);
      // Stored once each, and in the order sent.
      expect(new Set(rows.map((r) => r.cid)).size).toBe(rows.length);
      const order = rows.map((r) => Number(r.cid.slice('flood-'.length)));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  }, 180_000);
});
