import { describe, expect, it } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { WsAuthGuard } from './ws-auth.guard.js';

const wsContext = (data: object) =>
  ({ switchToWs: () => ({ getClient: () => ({ data }) }) }) as unknown as ExecutionContext;

describe(WsAuthGuard.name, () => {
  const guard = new WsAuthGuard();
  const inAnHour = Math.floor(Date.now() / 1000) + 3600;

  it('lets an authenticated socket through', () => {
    expect(guard.canActivate(wsContext({ user: { id: 1, username: 'a', exp: inAnHour } }))).toBe(
      true,
    );
  });

  it('refuses a socket without a user', () => {
    expect(() => guard.canActivate(wsContext({}))).toThrow(new WsException('unauthorized'));
  });

  it('refuses a socket whose token has expired since it connected', () => {
    // Past the expiry and the 5 s clock tolerance.
    const user = { id: 1, username: 'a', exp: Math.floor(Date.now() / 1000) - 6 };
    expect(() => guard.canActivate(wsContext({ user }))).toThrow(new WsException('token expired'));
  });
});
