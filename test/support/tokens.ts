import { createHmac } from 'node:crypto';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

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
  const body = `${b64(header)}.${b64(payload)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

/** `alg: none`: header and payload, no signature. */
export function unsignedToken(claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: '1', data: 'alice', exp: now + 3600, ...claims })}.`;
}
