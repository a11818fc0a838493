import { describe, expect, it } from '@jest/globals';
import { type ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { loadConfig } from '../config/app-config.js';
import { JwtGuard } from './jwt.guard.js';
import { TokenService } from './token.service.js';

const httpContext = (headers: Record<string, string>) => {
  const request: { headers: Record<string, string>; user?: unknown } = { headers };
  const context = {
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  return { request, context };
};

describe(JwtGuard.name, () => {
  const tokens = new TokenService(
    new JwtService(),
    loadConfig({ JWT_SECRET: 'k'.repeat(32), DATA_DIR: '/x' }),
  );
  const guard = new JwtGuard(tokens);

  it('lets a valid token through and attaches its user', () => {
    const { request, context } = httpContext({
      authorization: tokens.sign({ id: 3, username: 'bob' }),
    });
    expect(guard.canActivate(context)).toBe(true);
    expect(request.user).toMatchObject({ id: 3, username: 'bob' });
  });

  it('refuses a missing or bad token with 401', () => {
    expect(() => guard.canActivate(httpContext({}).context)).toThrow(UnauthorizedException);
    expect(() => guard.canActivate(httpContext({ authorization: 'Bearer x.y.z' }).context)).toThrow(
      UnauthorizedException,
    );
  });
});
