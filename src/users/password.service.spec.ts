import { describe, expect, it } from '@jest/globals';
import { PasswordService } from './password.service.js';

describe(PasswordService.name, () => {
  const passwords = new PasswordService();

  it('hashes with argon2id and checks the hash', async () => {
    const hash = await passwords.hash('correct horse');
    expect(hash).toMatch(/^\$argon2id\$/);
    await expect(passwords.check(hash, 'correct horse')).resolves.toEqual({
      ok: true,
      needsRehash: false,
    });
    await expect(passwords.check(hash, 'wrong horse')).resolves.toEqual({
      ok: false,
      needsRehash: false,
    });
  });

  it('salts: the same password never hashes the same twice', async () => {
    expect(await passwords.hash('same')).not.toBe(await passwords.hash('same'));
  });

  it('accepts an adopted plain-text password once, asking for a re-hash', async () => {
    await expect(passwords.check('123456', '123456')).resolves.toEqual({
      ok: true,
      needsRehash: true,
    });
    await expect(passwords.check('123456', '1234567')).resolves.toEqual({
      ok: false,
      needsRehash: false,
    });
    await expect(passwords.check('123456', '')).resolves.toEqual({ ok: false, needsRehash: false });
  });

  it('never matches a damaged hash', async () => {
    await expect(passwords.check('$argon2id$garbage', 'x')).resolves.toEqual({
      ok: false,
      needsRehash: false,
    });
  });
});
