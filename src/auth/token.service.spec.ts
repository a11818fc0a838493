import { describe, expect, it } from '@jest/globals';
import { UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createHmac, createSecretKey } from 'node:crypto';
import { loadConfig } from '../app-config.js';
import { tokenFromAuthorizationHeader } from './token.js';
import { TokenService } from './token.service.js';

const SECRET = 's'.repeat(40);
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const sign = (header: object, payload: object, secret = SECRET) => {
  const body = `${b64(header)}.${b64(payload)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
};

describe(TokenService.name, () => {
  const config = loadConfig({ JWT_SECRET: SECRET, JWT_EXPIRES_IN: '1h', DATA_DIR: '/nonexistent' });
  const tokens = new TokenService(
    new JwtService({ secret: createSecretKey(Buffer.from(SECRET)) }),
    config,
  );
  const later = Math.floor(Date.now() / 1000) + 3600;

  it('signs HS256 tokens carrying id and name, and verifies them', () => {
    const token = tokens.sign({ id: 7, username: 'alice', tokenVersion: 2 });
    const [header, payload] = token
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toMatchObject({ sub: '7', data: 'alice', username: 'alice', ver: 2 });
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload.exp - payload.iat).toBe(3600);
    expect(tokens.verify(token)).toEqual({
      id: 7,
      username: 'alice',
      exp: payload.exp,
      jti: payload.jti,
      ver: 2,
    });
  });

  // Each differs from a good token in one way only.
  const good = {
    sub: '1',
    data: 'alice',
    jti: 'j-1',
    ver: 0,
    iss: 'nest-chat',
    aud: 'nest-chat',
    exp: later,
  };
  const without = (key: keyof typeof good) =>
    Object.fromEntries(Object.entries(good).filter(([k]) => k !== key));

  it('accepts the good token these are made from', () => {
    expect(tokens.verify(sign({ alg: 'HS256' }, good))).toMatchObject({ id: 1, username: 'alice' });
  });

  it.each([
    ['no token', undefined],
    ['garbage', 'abc'],
    ['alg none', `${b64({ alg: 'none' })}.${b64(good)}.`],
    ['another secret', sign({ alg: 'HS256' }, good, 'lam')],
    ['HS512', `${b64({ alg: 'HS512' })}.${b64(good)}.x`],
    ['no name', sign({ alg: 'HS256' }, without('data'))],
    ['a non-numeric id', sign({ alg: 'HS256' }, { ...good, sub: 'root' })],
    ['no expiry', sign({ alg: 'HS256' }, without('exp'))],
    ['no token id', sign({ alg: 'HS256' }, without('jti'))],
    ['no version', sign({ alg: 'HS256' }, without('ver'))],
    ['another issuer', sign({ alg: 'HS256' }, { ...good, iss: 'elsewhere' })],
    ['no issuer', sign({ alg: 'HS256' }, without('iss'))],
    ['another audience', sign({ alg: 'HS256' }, { ...good, aud: 'elsewhere' })],
    ['no audience', sign({ alg: 'HS256' }, without('aud'))],
  ])('refuses %s as unauthorized', (_name, token) => {
    expect(() => tokens.verify(token)).toThrow(new UnauthorizedException('unauthorized'));
  });

  it('tells an expired token apart', () => {
    const expired = sign(
      { alg: 'HS256' },
      { sub: '1', data: 'alice', exp: Math.floor(Date.now() / 1000) - 60 },
    );
    expect(() => tokens.verify(expired)).toThrow(new UnauthorizedException('token expired'));
  });
});

describe(tokenFromAuthorizationHeader.name, () => {
  it.each([
    ['abc', 'abc'],
    ['Bearer abc', 'abc'],
    ['bearer  abc ', 'abc'],
    ['null', undefined],
    ['', undefined],
    [undefined, undefined],
    [['abc'], undefined],
  ])('reads %p as %p', (header, token) => {
    expect(tokenFromAuthorizationHeader(header)).toBe(token);
  });
});
