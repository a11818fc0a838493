import { createHash } from 'node:crypto';
import { ValidateBy, type ValidationOptions } from 'class-validator';
import {
  PASSWORD_MAX,
  PASSWORD_MIN,
  USERNAME_INVISIBLE,
  USERNAME_RESERVED,
  USERNAME_RULE,
} from '../protocol/index.js';

/**
 * Names: 1–32 characters of letters in any script (with their combining marks), decimal digits,
 * and `_ - .`. Names are NFC-normalised first, so that the same name typed on two keyboards is
 * one account.
 */
export const USERNAME_PATTERN = /^[\p{L}\p{M}\p{Nd}_.-]{1,32}$/u;
// The refusals' texts (USERNAME_RULE, PASSWORD_RULE...) are the protocol's: protocol/errors.ts.

/**
 * Names the protocol gives a meaning to: `all` is the group conversation (`typing` and
 * `GET /messages?with=all`, the page's first #select option). The server's own name, `user: ''`,
 * is already refused for being empty.
 */
export const RESERVED_USERNAMES = ['all'];

/** Hangul fillers, joiners, variation selectors and the like: they render as nothing. */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;
const EVERY_INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;
/** A leading combining mark has no base character of its own to show on. */
const LEADING_MARK = /^\p{M}/u;

export function normaliseUsername(value: unknown): unknown {
  return typeof value === 'string' ? value.normalize('NFC') : value;
}

/** The shape of any name, also one typed to reach someone; a new name: newUsernameProblem. */
export function isValidUsername(value: unknown): value is string {
  return typeof value === 'string' && USERNAME_PATTERN.test(value);
}

/**
 * What a name looks like, to refuse look-alikes: NFKC (fullwidth, ligatures, the Kelvin sign),
 * case folded (upper then lower: `ß` and `ss`, `ı` and `i`), without invisible characters.
 */
export function usernameSkeleton(name: string): string {
  return name
    .normalize('NFKC')
    .replace(EVERY_INVISIBLE, '')
    .toUpperCase()
    .toLowerCase()
    .normalize('NFKC');
}

/** The stored, indexed form of the skeleton: fixed length, whatever NFKC expands to. */
export function usernameKey(name: string): string {
  return createHash('sha256').update(usernameSkeleton(name)).digest('hex');
}

export function isReservedUsername(name: string): boolean {
  const skeleton = usernameSkeleton(name);
  return RESERVED_USERNAMES.some((reserved) => usernameSkeleton(reserved) === skeleton);
}

/**
 * Why a new (NFC) name is refused, or null. Only new names are checked: adopted and existing
 * accounts keep their names. Look-alikes of taken names need the database (UsersService).
 */
export function newUsernameProblem(name: unknown): string | null {
  if (!isValidUsername(name)) return USERNAME_RULE;
  if (INVISIBLE.test(name) || LEADING_MARK.test(name)) return USERNAME_INVISIBLE;
  if (isReservedUsername(name)) return USERNAME_RESERVED;
  return null;
}

export function isValidPassword(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const length = [...value].length;
  return length >= PASSWORD_MIN && length <= PASSWORD_MAX;
}

/** class-validator decorator for the rule above. */
export function IsUsername(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({ name: 'isUsername', validator: { validate: isValidUsername } }, options);
}
