import { describe, expect, it } from '@jest/globals';
import {
  isValidPassword,
  isValidUsername,
  newUsernameProblem,
  normaliseUsername,
  usernameKey,
  usernameSkeleton,
} from './user-rules.js';
import { USERNAME_INVISIBLE, USERNAME_RESERVED, USERNAME_RULE } from '../protocol/index.js';

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

  it.each(['alice', '张三', 'Ünal', 'Jos\u00e9', 'नमस्ते', 'مريم', 'user_1', '_', 'allen', 'all_7'])(
    'takes %s as a new name',
    (name) => expect(newUsernameProblem(normaliseUsername(name))).toBeNull(),
  );

  it.each([
    ['a Hangul filler', '\u3164'],
    ['a Hangul choseong filler', '\u115F'],
    ['a halfwidth Hangul filler', '\uFFA0'],
    ['only a combining mark', '\u0301'],
    ['a leading combining mark', '\u0301alice'],
    ['a combining grapheme joiner', 'admin\u034F'],
    ['an emoji variation selector', 'admin\uFE0F'],
    ['a supplementary variation selector', 'admin\u{E0100}'],
    ['a Mongolian variation selector inside', 'ad\u180Bmin'],
  ])('refuses %s in a new name', (_case, name) =>
    expect(newUsernameProblem(normaliseUsername(name))).toBe(USERNAME_INVISIBLE),
  );

  it.each(['all', 'ALL', 'All', '\uFF41\uFF4C\uFF4C'])(
    'reserves %s, the group conversation',
    (name) => expect(newUsernameProblem(normaliseUsername(name))).toBe(USERNAME_RESERVED),
  );

  it('refuses the shape of a new name first', () => {
    expect(newUsernameProblem('')).toBe(USERNAME_RULE);
    expect(newUsernameProblem('a b')).toBe(USERNAME_RULE);
    expect(newUsernameProblem(7)).toBe(USERNAME_RULE);
  });

  it.each([
    ['admin', 'ADMIN'],
    ['admin', 'Admin'],
    ['admin', '\uFF41\uFF44\uFF4D\uFF49\uFF4E'],
    ['admin', 'admin\uFE0F'],
    ['kelvin', '\u212Aelvin'],
    ['strasse', 'stra\u00DFe'],
    ['alice', 'al\u0131ce'],
    ['\uFB01le', 'file'],
  ])('gives %s and %s one skeleton and one key', (a, b) => {
    expect(usernameSkeleton(a)).toBe(usernameSkeleton(b));
    expect(usernameKey(a)).toBe(usernameKey(b));
  });

  it.each([
    ['Jos\u00e9', 'Jose'],
    ['alice', 'alicia'],
    ['bob', 'bob_'],
  ])('tells %s and %s apart', (a, b) => expect(usernameKey(a)).not.toBe(usernameKey(b)));

  it('keys any name in 64 hex characters, however far NFKC expands it', () => {
    expect(usernameKey('\uFDFA'.repeat(32))).toMatch(/^[0-9a-f]{64}$/);
  });
});
