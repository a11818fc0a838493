import { describe, expect, it } from '@jest/globals';
import { UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createHmac } from 'node:crypto';
import { loadConfig } from '../config/app-config.js';
import { TokenService, tokenFromAuthorizationHeader } from './token.service.js';

const SECRET = 's'.repeat(40);
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const sign = (header: object, payload: object, secret = SECRET) => {
  const body = `${b64(header)}.${b64(payload)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
};

describe(TokenService.name, () => {
  const config = loadConfig({ JWT_SECRET: SECRET, JWT_EXPIRES_IN: '1h', DATA_DIR: '/nonexistent' });
  const tokens = new TokenService(new JwtService(), config);
  const later = Math.floor(Date.now() / 1000) + 3600;

  it('signs HS256 tokens carrying id and name, and verifies them', () => {
    const token = tokens.sign({ id: 7, username: 'alice' });
    const [header, payload] = token
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toMatchObject({ sub: '7', data: 'alice', username: 'alice' });
    expect(payload.exp - payload.iat).toBe(3600);
    expect(tokens.verify(token)).toEqual({ id: 7, username: 'alice', exp: payload.exp });
  });

  it.each([
    ['no token', undefined],
    ['garbage', 'abc'],
    ['alg none', `${b64({ alg: 'none' })}.${b64({ sub: '1', data: 'alice', exp: later })}.`],
    ['another secret', sign({ alg: 'HS256' }, { sub: '1', data: 'alice', exp: later }, 'lam')],
    ['HS512', `${b64({ alg: 'HS512' })}.${b64({ sub: '1', data: 'alice', exp: later })}.x`],
    ['no name', sign({ alg: 'HS256' }, { sub: '1', exp: later })],
    ['a non-numeric id', sign({ alg: 'HS256' }, { sub: 'root', data: 'alice', exp: later })],
    ['no expiry', sign({ alg: 'HS256' }, { sub: '1', data: 'alice' })],
  ])('refuses %s as unauthorized', (_name, token) => {
    expect(() => tokens.verify(token)).toThrow(new UnauthorizedException('unauthorized'));
  });

  it('tells an expired token apart', () => {
    const expired = sign(
      { alg: 'HS256' },
      { sub: '1', data: 'alice', exp: Math.floor(Date.now() / 1000) - 5 },
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
