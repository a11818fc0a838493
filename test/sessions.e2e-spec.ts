import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import { runUserCommand } from '../src/cli/user-command.js';
import { connect, login } from './support/chat-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Resolves with the disconnect reason, or rejects if the socket stays connected. */
function disconnected(socket: Socket, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    if (socket.disconnected) return resolve('already');
    const timer = setTimeout(() => reject(new Error('socket was not disconnected')), timeoutMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

describe('logout and revoked tokens', () => {
  let t: TestApp;
  const open: Socket[] = [];
  const userinfo = (token: string) => request(t.url).get('/userinfo').set('Authorization', token);
  const logout = (token: string, body: object = {}) =>
    request(t.url).post('/logout').set('Authorization', token).send(body);
  async function socketFor(token: string): Promise<Socket> {
    const socket = await connect(t.url, { token });
    open.push(socket);
    return socket;
  }

  beforeAll(async () => {
    // Sockets of tokens refused elsewhere (the CLI) are looked for every 200 ms here.
    t = await startTestApp({ SESSION_CHECK_MS: '200' });
    for (const name of ['alice', 'bob', 'dave', 'erin'])
      await t.createUser(name, `${name}-password`);
  });
  afterEach(() => {
    for (const socket of open.splice(0)) socket.close();
  });
  afterAll(() => t.close());

  it('revokes the presented token only: HTTP, new handshakes and its open sockets', async () => {
    const [first, second] = [
      await login(t.url, 'alice', 'alice-password'),
      await login(t.url, 'alice', 'alice-password'),
    ];
    const [firstSocket, secondSocket] = [await socketFor(first), await socketFor(second)];
    const closed = disconnected(firstSocket);
    expect((await logout(first).expect(200)).body).toEqual({ status: 1 });
    expect(await closed).toBe('io server disconnect');
    await userinfo(first).expect(401);
    await expect(connect(t.url, { token: first })).rejects.toThrow('unauthorized');
    await logout(first).expect(401);
    // The other session goes on.
    await userinfo(second).expect(200);
    expect(secondSocket.connected).toBe(true);
  });

  it('with {"all": true} revokes every token of the user, and nobody else\'s', async () => {
    const tokens = [
      await login(t.url, 'bob', 'bob-password'),
      await login(t.url, 'bob', 'bob-password'),
    ];
    const sockets = await Promise.all(tokens.map(socketFor));
    const other = await login(t.url, 'dave', 'dave-password');
    const closed = Promise.all(sockets.map((s) => disconnected(s)));
    await logout(tokens[0], { all: true }).expect(200);
    await closed;
    for (const token of tokens) await userinfo(token).expect(401);
    await userinfo(other).expect(200);
    // A new login works again.
    await userinfo(await login(t.url, 'bob', 'bob-password')).expect(200);
  });

  it('logs out with no body at all', async () => {
    const token = await login(t.url, 'dave', 'dave-password');
    await request(t.url).post('/logout').set('Authorization', token).expect(200);
    await userinfo(token).expect(401);
  });

  it('refuses a malformed logout body', async () => {
    const token = await login(t.url, 'dave', 'dave-password');
    await logout(token, { all: 'yes' }).expect(400);
    await userinfo(token).expect(200);
  });

  it('a password change refuses the old tokens and closes their sockets within the check interval', async () => {
    const token = await login(t.url, 'dave', 'dave-password');
    const socket = await socketFor(token);
    const closed = disconnected(socket);
    await runUserCommand(['passwd', 'dave', 'dave-new-password'], {
      DATABASE_URL: t.database.url,
      DATA_DIR: t.config.dataDir,
    });
    await userinfo(token).expect(401);
    expect(await closed).toBe('io server disconnect');
    await userinfo(await login(t.url, 'dave', 'dave-new-password')).expect(200);
  });

  it('removing a user refuses their tokens and closes their sockets', async () => {
    const token = await login(t.url, 'erin', 'erin-password');
    const socket = await socketFor(token);
    const closed = disconnected(socket);
    await runUserCommand(['remove', 'erin'], {
      DATABASE_URL: t.database.url,
      DATA_DIR: t.config.dataDir,
    });
    await userinfo(token).expect(401);
    await closed;
    await expect(connect(t.url, { token })).rejects.toThrow('unauthorized');
  });
});
