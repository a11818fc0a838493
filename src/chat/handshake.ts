import { Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { AuthService } from '../auth/auth.service.js';
import { TOKEN_EXPIRED, tokenFromAuthorizationHeader, UNAUTHORIZED } from '../auth/token.js';
import { ChatMetrics } from '../metrics/chat-metrics.js';
import { PRESENCE_CHANGES, SHUTDOWN_ERRORS } from '../protocol/index.js';
import type { ChatSocket } from './chat-socket.js';
import { handshakeError } from './error-notice.js';
import { SocketLifecycle } from './socket-lifecycle.service.js';
import { SocketLimits } from './socket-limits.service.js';
import { SocketLog } from './socket-log.js';

/**
 * The handshake, as socket.io middleware (ChatGateway installs it): every connection is
 * authenticated here, no valid token, no connection; then it must fit the socket limits, which
 * count it (and so make its user online) from here on.
 */
@Injectable()
export class ChatHandshake {
  private readonly logger = new Logger(ChatHandshake.name);

  constructor(
    private readonly auth: AuthService,
    private readonly limits: SocketLimits,
    private readonly lifecycle: SocketLifecycle,
    private readonly log: SocketLog,
    private readonly metrics: ChatMetrics,
  ) {}

  readonly middleware = (socket: ChatSocket, accept: (error?: Error) => void): void => {
    // A refusal gets its log line (with the reason) here; an accepted socket gets its own once
    // connected (ChatGateway.handleConnection). Connects are counted by outcome: accepted, or
    // the refusal's code (a few values).
    const next = (error?: Error) => {
      const code = (error as { data?: { code?: string } } | undefined)?.data?.code;
      this.metrics.connects.inc({ outcome: error ? (code ?? 'refused') : 'accepted' });
      if (error) this.log.refused(socket, error.message);
      accept(error);
    };
    if (this.lifecycle.closing) return next(handshakeError(SHUTDOWN_ERRORS.restarting));
    this.auth.authenticate(handshakeToken(socket)).then(
      async (user) => {
        const refused = await this.limits.open(
          socket,
          user.username,
          !wantsPresenceChanges(socket),
        );
        if (refused) return next(handshakeError(refused));
        socket.data.user = user;
        next();
      },
      (error: unknown) => {
        if (!(error instanceof UnauthorizedException)) {
          // The database is away: the client should retry, not log out.
          this.logger.warn(`handshake: ${String(error)}`);
          return next(handshakeError(SHUTDOWN_ERRORS.unavailable, 'service_unavailable'));
        }
        next(handshakeError(error.message === TOKEN_EXPIRED ? TOKEN_EXPIRED : UNAUTHORIZED));
      },
    );
  };
}

/** The token from `auth.token`, the `token` query parameter, or the Authorization header. */
export function handshakeToken(socket: Socket): string | undefined {
  const { auth, query, headers } = socket.handshake;
  const fromAuth = (auth as { token?: unknown } | undefined)?.token;
  if (typeof fromAuth === 'string' && fromAuth) return tokenFromAuthorizationHeader(fromAuth);
  if (typeof query.token === 'string' && query.token)
    return tokenFromAuthorizationHeader(query.token);
  return tokenFromAuthorizationHeader(headers.authorization);
}

/** `auth.presence: 'changes'`: the client takes online-list changes instead of whole lists. */
export function wantsPresenceChanges(socket: Socket): boolean {
  return (
    (socket.handshake.auth as { presence?: unknown } | undefined)?.presence === PRESENCE_CHANGES
  );
}

/** `auth.lastId`: the last message id a reconnecting client saw. */
export function handshakeLastId(socket: Socket): number | undefined {
  const value = (socket.handshake.auth as { lastId?: unknown } | undefined)?.lastId;
  const id = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : undefined;
}
