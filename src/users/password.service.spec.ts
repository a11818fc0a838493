import { describe, expect, it } from '@jest/globals';
import * as argon2 from 'argon2';
import { PasswordService } from './password.service.js';

describe(PasswordService.name, () => {
  const passwords = new PasswordService();

  it('hashes with argon2id and checks the hash', async () => {
    const hash = await passwords.hash('correct horse');
    expect(hash).toMatch(/^\$argon2id\$v=19\$/);
    expect(hash.split('$')[3].split(',').sort()).toEqual(['m=19456', 'p=1', 't=2']);
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

  it('asks for a re-hash of a correct password under older parameters or another variant', async () => {
    const older = [
      await argon2.hash('correct horse', { type: argon2.argon2id }), // the library's defaults
      await argon2.hash('correct horse', {
        type: argon2.argon2i,
        memoryCost: 19_456,
        timeCost: 2,
        parallelism: 1,
      }),
    ];
    for (const hash of older) {
      await expect(passwords.check(hash, 'correct horse')).resolves.toEqual({
        ok: true,
        needsRehash: true,
      });
      await expect(passwords.check(hash, 'wrong horse')).resolves.toEqual({
        ok: false,
        needsRehash: false,
      });
    }
  });

  it('never matches a damaged hash', async () => {
    await expect(passwords.check('$argon2id$garbage', 'x')).resolves.toEqual({
      ok: false,
      needsRehash: false,
    });
  });
});
