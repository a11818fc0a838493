import { createHmac } from 'node:crypto';

/** base64url of a JSON value; a string is encoded as it is (to forge headers that are not JSON). */
export function b64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString(
    'base64url',
  );
}

/** The one HS256 signer of the tests: any header and claims, signed with `secret`. */
export function signHs256(header: unknown, claims: unknown, secret: string): string {
  const body = `${b64url(header)}.${b64url(claims)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

/**
 * A token like ours (HS256, every claim we check) with some claims changed: to test that the
 * server refuses exactly what it should.
 */
export function forgeToken(
  secret: string,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' },
): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    sub: '1',
    data: 'alice',
    username: 'alice',
    jti: 'forged-token',
    ver: 0,
    iss: 'nest-chat',
    aud: 'nest-chat',
    iat: now,
    exp: now + 3600,
    ...claims,
  };
  return signHs256(header, payload, secret);
}

/** `alg: none`: header and payload, no signature. */
export function unsignedToken(claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: '1', data: 'alice', exp: now + 3600, ...claims })}.`;
}
