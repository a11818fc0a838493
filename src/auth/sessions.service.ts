import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { UsersService } from '../users/users.service.js';
import { RevokedTokensRepository } from './revoked-tokens.repository.js';
import { type AuthenticatedUser, expiresAtMs } from './token.service.js';

export type RevocationListener = (
  event: { jti: string } | { userId: number; username: string },
) => void;

const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * Whether a signed, unexpired token is still good: its user exists, its version is the user's
 * current one (not after "logout everywhere" or a password change), and it was not logged out.
 */
@Injectable()
export class SessionsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SessionsService.name);
  private readonly listeners: RevocationListener[] = [];
  private pruneTimer?: NodeJS.Timeout;

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

  async isValid(user: AuthenticatedUser): Promise<boolean> {
    const [versions, revoked] = await Promise.all([
      this.users.findTokenVersions([user.id]),
      this.revoked.isRevoked(user.jti),
    ]);
    return versions.get(user.id) === user.ver && !revoked;
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
