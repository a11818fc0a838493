import { ValidateBy, type ValidationOptions } from 'class-validator';
/**
 * Names: 1–32 characters of letters in any script (with their combining marks), decimal digits,
 * and `_ - .`. Names are NFC-normalised first, so that the same name typed on two keyboards is
 * one account.
 */
export const USERNAME_PATTERN = /^[\p{L}\p{M}\p{Nd}_.-]{1,32}$/u;
export const USERNAME_RULE = 'username must be 1-32 characters: letters, digits, "_", "-" or "."';
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const PASSWORD_RULE = `password must be ${PASSWORD_MIN}-${PASSWORD_MAX} characters`;

export function normaliseUsername(value: unknown): unknown {
  return typeof value === 'string' ? value.normalize('NFC') : value;
}

export function isValidUsername(value: unknown): value is string {
  return typeof value === 'string' && USERNAME_PATTERN.test(value);
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
