/**
 * TRUST_PROXY: behind nginx every TCP peer is nginx, so the per-address limits (logins, sockets)
 * must read the client from X-Forwarded-For; without the variable the header is a client's word
 * and is ignored.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import { LIMIT_ERRORS } from '../src/protocol/index.js';
import { connect } from './support/chat-client.js';
import { forgeToken } from './support/tokens.js';
import { NO_RATE_LIMITS, startTestApp, type TestApp } from './support/test-app.js';

const LIMITS = { ...NO_RATE_LIMITS, LOGIN_RATE_PER_IP: '2', MAX_SOCKETS_PER_IP: '1' };

/** Logins (wrong password) as if forwarded for `forwardedFor`; the statuses. */
async function attempts(url: string, forwardedFor: string, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    const res = await request(url)
      .post('/login')
      .set('X-Forwarded-For', forwardedFor)
      .send({ username: 'alice', password: 'wrong-password' });
    statuses.push(res.status);
  }
  return statuses;
}

describe.each([
  ['unset', {}],
  ['1 (one nginx in front)', { TRUST_PROXY: '1' }],
  ['loopback (the proxies by address)', { TRUST_PROXY: 'loopback' }],
])('TRUST_PROXY %s', (_name, env: Record<string, string>) => {
  const trusted = env.TRUST_PROXY !== undefined;
  let t: TestApp;
  let token: string;
  const open: Socket[] = [];

  beforeAll(async () => {
    t = await startTestApp({ ...LIMITS, ...env });
    await t.createUser('alice', 'alice-password');
    // Signed here, not through /login: that would take from the login budget under test.
    token = forgeToken(t.config.jwtSecret);
  });
  afterEach(() => {
    for (const socket of open.splice(0)) socket.close();
  });
  afterAll(() => t.close());

  /** A socket of alice's as if forwarded for `forwardedFor`: null when connected, else the refusal. */
  async function socketFrom(forwardedFor: string): Promise<string | null> {
    try {
      open.push(await connect(t.url, { token, headers: { 'X-Forwarded-For': forwardedFor } }));
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  }

  it(`counts login attempts per ${trusted ? 'forwarded' : 'TCP'} address`, async () => {
    expect(await attempts(t.url, '10.0.0.1', 3)).toEqual([401, 401, 429]);
    // Another client behind the proxy has its own budget only when the proxy is trusted.
    expect(await attempts(t.url, '10.0.0.2', 1)).toEqual([trusted ? 401 : 429]);
    // A client's own X-Forwarded-For (nginx appends the real address after it) changes nothing.
    if (trusted) expect(await attempts(t.url, '10.0.0.2, 10.0.0.1', 1)).toEqual([429]);
  });

  it(`counts sockets per ${trusted ? 'forwarded' : 'TCP'} address`, async () => {
    expect(await socketFrom('10.0.0.1')).toBeNull();
    expect(await socketFrom('10.0.0.1')).toBe(LIMIT_ERRORS.tooManySocketsFromIp);
    expect(await socketFrom('10.0.0.2')).toBe(trusted ? null : LIMIT_ERRORS.tooManySocketsFromIp);
    expect(await socketFrom('10.0.0.2, 10.0.0.1')).toBe(LIMIT_ERRORS.tooManySocketsFromIp);
  });
});
