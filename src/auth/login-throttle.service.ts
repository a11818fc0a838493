import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { authConfig } from './auth.config.js';
import { TokenBuckets } from '../common/token-buckets.js';
import { TooManyRequestsException } from '../common/too-many-requests.exception.js';

const FIFTEEN_MINUTES = 15 * 60;

/**
 * Limits password guessing without letting anyone lock a user out for good:
 * - every login and register attempt from one address (LOGIN_RATE_PER_IP a minute);
 * - failed logins for one name from one address (LOGIN_FAILURES_PER_USER per 15 minutes), so an
 *   attacker elsewhere cannot block the real user;
 * - failed logins for one name from everywhere (ten times that), against guessing spread over
 *   many addresses.
 * All are token buckets: they refill continuously, so a limit only ever means waiting.
 * Names are keyed as normalised for the lookup (normaliseUsername): one account, one limit.
 */
@Injectable()
export class LoginThrottle {
  private readonly perIp: TokenBuckets;
  private readonly failuresPerUserAndIp: TokenBuckets;
  private readonly failuresPerUser: TokenBuckets;

  constructor(@Inject(authConfig.KEY) config: ConfigType<typeof authConfig>) {
    const { loginPerIpPerMinute: ip, loginFailuresPerUser: user } = config.limits;
    this.perIp = new TokenBuckets(ip, ip / 60);
    this.failuresPerUserAndIp = new TokenBuckets(user, user / FIFTEEN_MINUTES);
    this.failuresPerUser = new TokenBuckets(user * 10, (user * 10) / FIFTEEN_MINUTES);
  }

  /** Before any work: throws 429 when this address or this name must wait. */
  beforeAttempt(ip: string, username?: string): void {
    const waits = [this.perIp.take(ip)];
    if (typeof username === 'string') {
      waits.push(
        this.failuresPerUserAndIp.peek(`${username}\u0000${ip}`),
        this.failuresPerUser.peek(username),
      );
    }
    const wait = Math.max(...waits);
    if (wait > 0) throw new TooManyRequestsException(Math.ceil(wait / 1000));
  }

  failed(ip: string, username: string): void {
    this.failuresPerUserAndIp.take(`${username}\u0000${ip}`);
    this.failuresPerUser.take(username);
  }

  succeeded(ip: string, username: string): void {
    this.failuresPerUserAndIp.reset(`${username}\u0000${ip}`);
  }
}
