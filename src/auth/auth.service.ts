import { ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ERROR_MESSAGES } from '../protocol/index.js';
import { ChatMetrics } from '../metrics/chat-metrics.js';
import { TooManyRequestsException } from '../common/too-many-requests.exception.js';
import { authConfig } from './auth.config.js';
import { normaliseUsername } from '../users/user-rules.js';
import { UsersService } from '../users/users.service.js';
import { LoginThrottle } from './login-throttle.service.js';
import { SessionsService } from './sessions.service.js';
import type { Session } from './session.js';
import { type AuthenticatedUser, UNAUTHORIZED } from './token.js';
import { TokenService } from './token.service.js';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokenService,
    private readonly sessions: SessionsService,
    private readonly throttle: LoginThrottle,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly metrics: ChatMetrics,
  ) {}

  /** The user of a token that is signed, unexpired and not revoked; 401 otherwise. */
  async authenticate(token: string | undefined): Promise<AuthenticatedUser> {
    const user = this.tokens.verify(token);
    if (!(await this.sessions.isValid(user))) throw new UnauthorizedException(UNAUTHORIZED);
    return user;
  }

  /** `ip`: the caller's address, for rate limiting. Counted by outcome (chat_logins_total). */
  async login(typed: string, password: string, ip: string): Promise<Session> {
    try {
      const session = await this.attemptLogin(typed, password, ip);
      this.metrics.login('success');
      return session;
    } catch (error) {
      this.metrics.login(
        error instanceof UnauthorizedException
          ? 'bad_credentials'
          : error instanceof TooManyRequestsException
            ? 'throttled'
            : 'error',
      );
      throw error;
    }
  }

  private async attemptLogin(typed: string, password: string, ip: string): Promise<Session> {
    // The name the lookup uses: every spelling of one account (Kelvin sign, decomposed å) counts
    // against the same limit.
    const username = normaliseUsername(typed) as string;
    await this.throttle.beforeAttempt(ip, username);
    const user = await this.users.verifyCredentials(username, password);
    if (!user) {
      await this.throttle.failed(ip, username);
      // One message whether the name exists or not.
      throw new UnauthorizedException(ERROR_MESSAGES.bad_credentials);
    }
    await this.throttle.succeeded(ip, username);
    return { user, token: this.tokens.sign(user) };
  }

  async register(username: string, password: string, ip: string): Promise<Session> {
    if (!this.config.registrationOpen)
      throw new ForbiddenException(ERROR_MESSAGES.registration_closed);
    await this.throttle.beforeAttempt(ip);
    const user = await this.users.create(username, password);
    return { user, token: this.tokens.sign(user) };
  }
}
