/**
 * Cluster mode: a logout, a logout everywhere, and the CLI's passwd and remove close the
 * affected sockets on every instance within a second. SESSION_CHECK_MS is set far above the
 * test's length, so the periodic session sweep cannot be what closed them.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import { sleep } from '../support/chat-client.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import type { Person } from '../support/users.js';

const SETUP = 180_000;
const SESSION_CHECK_MS = 600_000;
/** The bound the issue asks for, with room for a busy two-core machine. */
const CLOSED_WITHIN_MS = 1000;
const MARGIN_MS = 2000;

/** Resolves with the time the socket was closed by the server. */
function closedAt(socket: Socket, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socket was not closed')), timeoutMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      if (reason === 'io server disconnect') resolve(Date.now());
      else reject(new Error(`closed by ${reason}`));
    });
  });
}

/** `node dist/src/cli/user.cli.js ...` with the cluster's environment; resolves when it exits. */
function userCli(env: Record<string, string>, ...argv: string[]): Promise<string> {
  const { NODE_OPTIONS: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, ['dist/src/cli/user.cli.js', ...argv], {
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`user CLI exited ${code}:\n${output}`)),
    );
  });
}

describe('cluster: revocation across instances', () => {
  let cluster: TestCluster | null;

  beforeAll(async () => {
    cluster = await startCluster(2, {
      env: { SESSION_CHECK_MS: String(SESSION_CHECK_MS) },
      users: ['alice', 'bob', 'carol', 'dave'],
    });
  }, SETUP);

  afterAll(() => cluster?.close(), SETUP);

  const url = (i: number) => cluster!.url(i);
  const tokenOf = (name: Person, i = 0) => cluster!.token(name, i);
  const socketOn = (i: number, token: string) => cluster!.connect(i, { token });

  function expectPrompt(closed: number[], since: number): void {
    for (const at of closed) {
      expect(at - since).toBeLessThan(CLOSED_WITHIN_MS + MARGIN_MS);
      expect(at - since).toBeLessThan(SESSION_CHECK_MS / 100);
    }
  }

  it("a logout on A closes that token's sockets on B and A, and no other", async () => {
    if (!cluster) return;
    const [loggedOut, kept] = [await tokenOf('alice', 0), await tokenOf('alice', 1)];
    const onB = await socketOn(1, loggedOut);
    const onA = await socketOn(0, loggedOut);
    const otherToken = await socketOn(1, kept);
    const closed = Promise.all([closedAt(onB), closedAt(onA)]);
    await request(url(0)).post('/logout').set('Authorization', loggedOut).send({}).expect(200);
    const since = Date.now();
    expectPrompt(await closed, since);
    await sleep(300);
    expect(otherToken.connected).toBe(true);
  });

  it('logging out everywhere on A closes every socket of the user on both instances', async () => {
    if (!cluster) return;
    const [first, second] = [await tokenOf('bob', 0), await tokenOf('bob', 1)];
    const mine = [await socketOn(0, first), await socketOn(1, first), await socketOn(1, second)];
    const someoneElse = await socketOn(1, await tokenOf('carol', 1));
    const closed = Promise.all(mine.map((s) => closedAt(s)));
    await request(url(0))
      .post('/logout')
      .set('Authorization', first)
      .send({ all: true })
      .expect(200);
    const since = Date.now();
    expectPrompt(await closed, since);
    await sleep(300);
    expect(someoneElse.connected).toBe(true);
  });

  it("the CLI's passwd closes the user's sockets on every instance", async () => {
    if (!cluster) return;
    const mine = [
      await socketOn(0, await tokenOf('carol', 0)),
      await socketOn(1, await tokenOf('carol', 1)),
    ];
    const closed = Promise.all(mine.map((s) => closedAt(s, 30_000)));
    const output = await userCli(cluster.env, 'passwd', 'carol', 'carol-new-password');
    const since = Date.now();
    expect(output).toContain('changed the password of carol');
    expectPrompt(await closed, since);
    await request(url(1))
      .post('/login')
      .send({ username: 'carol', password: 'carol-new-password' })
      .expect(200);
  });

  it("the CLI's remove closes the user's sockets on every instance", async () => {
    if (!cluster) return;
    const mine = [
      await socketOn(1, await tokenOf('dave', 1)),
      await socketOn(0, await tokenOf('dave', 0)),
    ];
    const closed = Promise.all(mine.map((s) => closedAt(s, 30_000)));
    expect(await userCli(cluster.env, 'remove', 'dave')).toContain('removed dave');
    const since = Date.now();
    expectPrompt(await closed, since);
  });
});
