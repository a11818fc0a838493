import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as argon2 from 'argon2';
import request from 'supertest';
import { runUserCommand, UsageError } from '../src/cli/user-command.js';
import { PASSWORD_HASH_OPTIONS } from '../src/users/password-hashing.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('npm run user', () => {
  let t: TestApp;
  let env: Record<string, string>;
  const user = (...argv: string[]) => runUserCommand(argv, env);
  const login = (username: string, password: string) =>
    request(t.url).post('/login').send({ username, password });

  beforeAll(async () => {
    t = await startTestApp();
    env = { DATABASE_URL: t.database.url, DATA_DIR: t.config.dataDir };
  });
  afterAll(() => t.close());

  it('adds users the server then logs in', async () => {
    expect(await user('add', 'erin', 'erin-password')).toBe('added erin');
    expect(await user('add', '小明', 'xiaoming-pw')).toBe('added 小明');
    await login('erin', 'erin-password').expect(200);
    await login('小明', 'xiaoming-pw').expect(200);
  });

  it('hashes with the server parameters, so the first login does not hash again', async () => {
    const [{ password }] = await t.database.query<{ password: string }>(
      'SELECT password FROM admin WHERE username = ?',
      ['erin'],
    );
    expect(password).toMatch(/^\$argon2id\$/);
    expect(argon2.needsRehash(password, PASSWORD_HASH_OPTIONS)).toBe(false);
  });

  it('refuses invalid and duplicate names and short passwords', async () => {
    await expect(user('add', 'erin', 'erin-password')).rejects.toThrow('username is taken');
    await expect(user('add', 'two words', 'long-enough')).rejects.toThrow(/username must be/);
    await expect(user('add', 'frank', 'short')).rejects.toThrow(/password must be/);
  });

  it('refuses reserved, invisible and look-alike names', async () => {
    await expect(user('add', 'all', 'long-enough')).rejects.toThrow('username is reserved');
    await expect(user('add', '\u3164', 'long-enough')).rejects.toThrow(/must begin with a visible/);
    await expect(user('add', 'erin\uFE0F', 'long-enough')).rejects.toThrow(/no invisible ones/);
    await expect(user('add', 'ERIN', 'long-enough')).rejects.toThrow(
      'username is too like a taken one',
    );
  });

  it('changes a password', async () => {
    await user('passwd', 'erin', 'new-erin-password');
    await login('erin', 'erin-password').expect(401);
    await login('erin', 'new-erin-password').expect(200);
  });

  it('lists and removes users', async () => {
    expect((await user('list')).split('\n')).toEqual(['erin', '小明']);
    await user('remove', 'erin');
    await login('erin', 'new-erin-password').expect(401);
    await expect(user('remove', 'erin')).rejects.toThrow('no user named erin');
    expect(await user('list')).toBe('小明');
  });

  it('explains its usage', async () => {
    await expect(user('frobnicate')).rejects.toBeInstanceOf(UsageError);
    await expect(user('add', 'only-a-name')).rejects.toBeInstanceOf(UsageError);
  });
});
