import { describe, expect, it } from '@jest/globals';
import { isValidPassword, isValidUsername, normaliseUsername } from './user-rules.js';

describe('user rules', () => {
  it.each(['alice', '张三', 'Ünal', 'user_1', 'a-b.c', 'x', 'a'.repeat(32), 'नमस्ते', 'مريم'])(
    'accepts the name %s',
    (name) => expect(isValidUsername(normaliseUsername(name))).toBe(true),
  );

  it.each([
    '',
    'a'.repeat(33),
    'bob smith',
    '<b>',
    'a/b',
    "o'neil",
    'emoji😀',
    'tab\t',
    null,
    7,
    ['a'],
  ])('refuses the name %p', (name) => expect(isValidUsername(name)).toBe(false));

  it('counts password length in characters, 8 to 128', () => {
    expect(isValidPassword('1234567')).toBe(false);
    expect(isValidPassword('12345678')).toBe(true);
    expect(isValidPassword('密'.repeat(128))).toBe(true);
    expect(isValidPassword('😀'.repeat(128))).toBe(true);
    expect(isValidPassword('p'.repeat(129))).toBe(false);
    expect(isValidPassword({ length: 10 })).toBe(false);
  });

  it('normalises names to NFC so one name is one account', () => {
    expect(normaliseUsername('Jose\u0301')).toBe('Jos\u00e9');
  });
});
