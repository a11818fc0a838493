import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { authConfig } from './auth.config.js';
import { createRateLimiter, type RateLimit } from '../common/rate-limiters.js';
import { TooManyRequestsException } from '../common/too-many-requests.exception.js';
import { RedisService } from '../redis/redis.service.js';

const FIFTEEN_MINUTES = 15 * 60;

/**
 * Limits password guessing without letting anyone lock a user out for good:
 * - every login and register attempt from one address (LOGIN_RATE_PER_IP a minute);
 * - failed logins for one name from one address (LOGIN_FAILURES_PER_USER per 15 minutes), so an
 *   attacker elsewhere cannot block the real user;
 * - failed logins for one name from everywhere (ten times that), against guessing spread over
 *   many addresses.
 * Each is counted over a fixed window (createRateLimiter), on every instance together in cluster
 * mode: a limit only ever means waiting for the window to end.
 * Names are keyed as normalised for the lookup (normaliseUsername): one account, one limit.
 */
@Injectable()
export class LoginThrottle {
  private readonly perIp: RateLimit;
  private readonly failuresPerUserAndIp: RateLimit;
  private readonly failuresPerUser: RateLimit;

  constructor(@Inject(authConfig.KEY) config: ConfigType<typeof authConfig>, redis: RedisService) {
    const { loginPerIpPerMinute: ip, loginFailuresPerUser: user } = config.limits;
    const limit = (keyPrefix: string, points: number, duration: number) =>
      createRateLimiter(redis.client, { keyPrefix, points, duration });
    this.perIp = limit('login-ip', ip, 60);
    this.failuresPerUserAndIp = limit('login-failures-ip', user, FIFTEEN_MINUTES);
    this.failuresPerUser = limit('login-failures', user * 10, FIFTEEN_MINUTES);
  }

  /** Before any work: throws 429 when this address or this name must wait. */
  async beforeAttempt(ip: string, username?: string): Promise<void> {
    const waits = [this.perIp.take(ip)];
    if (typeof username === 'string') {
      waits.push(
        this.failuresPerUserAndIp.peek(`${username}\u0000${ip}`),
        this.failuresPerUser.peek(username),
      );
    }
    const wait = Math.max(...(await Promise.all(waits)));
    if (wait > 0) throw new TooManyRequestsException(Math.ceil(wait / 1000));
  }

  async failed(ip: string, username: string): Promise<void> {
    await Promise.all([
      this.failuresPerUserAndIp.take(`${username}\u0000${ip}`),
      this.failuresPerUser.take(username),
    ]);
  }

  async succeeded(ip: string, username: string): Promise<void> {
    await this.failuresPerUserAndIp.reset(`${username}\u0000${ip}`);
  }
}
