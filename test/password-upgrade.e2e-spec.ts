import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as argon2 from 'argon2';
import request from 'supertest';
import { PASSWORD_HASH_OPTIONS } from '../src/users/password-hashing.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CURRENT = { type: 'argon2id', m: '19456', t: '2', p: '1' };

/** The variant and parameters a PHC string names (the library writes them as m, p, t). */
function paramsOf(hash: string): Record<string, string> {
  const [, type, , params] = hash.split('$');
  return { type, ...Object.fromEntries(params.split(',').map((kv) => kv.split('='))) };
}

describe('hashes stored with older parameters', () => {
  let t: TestApp;

  const stored = async (username: string) =>
    (
      await t.database.query<{ password: string; token_version: number }>(
        'SELECT password, token_version FROM admin WHERE username = ?',
        [username],
      )
    )[0];
  const login = (username: string, password: string) =>
    request(t.url).post('/login').send({ username, password });

  /** A user whose stored hash was made by an older version of the server. */
  const createWithHash = async (username: string, password: string, hash: string) => {
    await t.createUser(username, password);
    await t.database.query('UPDATE admin SET password = ? WHERE username = ?', [hash, username]);
  };

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('hashes new passwords with the current parameters', async () => {
    expect(PASSWORD_HASH_OPTIONS).toMatchObject({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    await t.createUser('newcomer', 'newcomer-password');
    expect(paramsOf((await stored('newcomer')).password)).toEqual(CURRENT);
  });

  it('re-hashes the library defaults (64 MiB, t=3, p=4) at the next successful login only', async () => {
    const old = await argon2.hash('old-password', { type: argon2.argon2id });
    expect(paramsOf(old)).toEqual({ type: 'argon2id', m: '65536', t: '3', p: '4' });
    await createWithHash('veteran', 'old-password', old);
    const before = await stored('veteran');

    await login('veteran', 'wrong-password').expect(401);
    expect((await stored('veteran')).password).toBe(old);

    await login('veteran', 'old-password').expect(200);
    const after = await stored('veteran');
    expect(paramsOf(after.password)).toEqual(CURRENT);
    await expect(argon2.verify(after.password, 'old-password')).resolves.toBe(true);
    // Not a password change: the user's tokens stay valid.
    expect(Number(after.token_version)).toBe(Number(before.token_version));

    // The new hash serves the next logins, and is not replaced again.
    await login('veteran', 'old-password').expect(200);
    await login('veteran', 'wrong-password').expect(401);
    expect((await stored('veteran')).password).toBe(after.password);
  });

  it('replaces another argon2 variant with the same parameters by argon2id', async () => {
    const { memoryCost, timeCost, parallelism } = PASSWORD_HASH_OPTIONS;
    const argon2i = await argon2.hash('variant-password', {
      type: argon2.argon2i,
      memoryCost,
      timeCost,
      parallelism,
    });
    await createWithHash('variant', 'variant-password', argon2i);
    await login('variant', 'variant-password').expect(200);
    expect(paramsOf((await stored('variant')).password)).toEqual(CURRENT);
    await login('variant', 'variant-password').expect(200);
  });
});
