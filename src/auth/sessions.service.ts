import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Batcher } from '../common/batcher.js';
import { UsersService } from '../users/users.service.js';
import { RevokedTokensRepository } from './revoked-tokens.repository.js';
import { type AuthenticatedUser, expiresAtMs } from './token.js';

export type RevocationListener = (
  event: { jti: string } | { userId: number; username: string },
) => void;

const PRUNE_EVERY_MS = 60 * 60 * 1000;
/** In a crowd, a check waits this long for others to share its queries: unnoticeable on a connect. */
const BATCH_WAIT_MS = 25;

/**
 * Whether a signed, unexpired token is still good: its user exists, its version is the user's
 * current one (not after "logout everywhere" or a password change), and it was not logged out.
 */
@Injectable()
export class SessionsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SessionsService.name);
  private readonly listeners: RevocationListener[] = [];
  private pruneTimer?: NodeJS.Timeout;
  /** Checks that arrive together (a crowd reconnecting after a restart) share two queries. */
  private readonly validity = new Batcher<AuthenticatedUser, boolean>(
    async (sessions) => {
      const invalid = await this.findInvalid(sessions);
      return sessions.map((session) => !invalid.has(session.jti));
    },
    { concurrency: 2, maxBatch: 500, waitMs: BATCH_WAIT_MS },
  );

  constructor(
    private readonly users: UsersService,
    private readonly revoked: RevokedTokensRepository,
  ) {}

  onModuleInit(): void {
    this.pruneTimer = setInterval(() => {
      this.revoked
        .deleteExpired(Date.now())
        .catch((error: unknown) => this.logger.warn(String(error)));
    }, PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.pruneTimer);
  }

  /** Told when tokens are revoked here, so that live sockets using them can be closed at once. */
  onRevoked(listener: RevocationListener): void {
    this.listeners.push(listener);
  }

  isValid(user: AuthenticatedUser): Promise<boolean> {
    return this.validity.ask(user);
  }

  /** Of these sessions, the token ids that are no longer good (one query per kind, not per session). */
  async findInvalid(sessions: AuthenticatedUser[]): Promise<Set<string>> {
    const [versions, revoked] = await Promise.all([
      this.users.findTokenVersions([...new Set(sessions.map((s) => s.id))]),
      this.revoked.findRevoked(sessions.map((s) => s.jti)),
    ]);
    return new Set(
      sessions.filter((s) => versions.get(s.id) !== s.ver || revoked.has(s.jti)).map((s) => s.jti),
    );
  }

  async logout(user: AuthenticatedUser): Promise<void> {
    await this.revoked.add(user.jti, expiresAtMs(user));
    this.tell({ jti: user.jti });
  }

  async logoutEverywhere(user: AuthenticatedUser): Promise<void> {
    await this.users.logoutEverywhere(user.id);
    this.tell({ userId: user.id, username: user.username });
  }

  private tell(event: Parameters<RevocationListener>[0]): void {
    for (const listener of this.listeners) listener(event);
  }
}
