import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { Server } from 'socket.io';
import { SessionsService } from '../auth/sessions.service.js';
import { expiresAtMs, TOKEN_EXPIRED } from '../auth/token.js';
import type { ConfigType } from '@nestjs/config';
import { chatConfig } from './chat.config.js';
import { MessageStore } from '../messages/message-store.service.js';
import { ChatEvent, LIMIT_ERRORS, SHUTDOWN_ERRORS } from '../protocol/index.js';
import { type ChatServer, type ChatSocket, tokenRoom, userRoom } from './chat-socket.js';
import { errorNotice } from './error-notice.js';
import { dropNow, flushed } from './socket-buffers.js';
import { SocketLimits } from './socket-limits.service.js';

/** setTimeout's limit; a token that lives longer is checked again when this fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** How often sockets are checked for unread output piling up. */
const SLOW_CONSUMER_CHECK_MS = 500;

/**
 * How sockets end, besides their own disconnect: at their token's expiry, at a logout, when a
 * sweep finds their token refused (CLI: user removed, password changed) or their output piling up
 * unread, and when the server stops.
 */
@Injectable()
export class SocketLifecycle implements OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(SocketLifecycle.name);
  private readonly expiryTimers = new WeakMap<ChatSocket, NodeJS.Timeout>();
  private timers: NodeJS.Timeout[] = [];
  private stopping = false;

  constructor(
    @Inject(Server) private readonly server: ChatServer,
    private readonly sessions: SessionsService,
    private readonly store: MessageStore,
    private readonly limits: SocketLimits,
    @Inject(chatConfig.KEY) private readonly config: ConfigType<typeof chatConfig>,
  ) {}

  /** The server is stopping: new connections and messages are refused. */
  get closing(): boolean {
    return this.stopping;
  }

  onModuleInit(): void {
    // A logout here closes that token's sockets at once.
    this.sessions.onRevoked((event) => {
      const room = 'jti' in event ? tokenRoom(event.jti) : userRoom(event.username);
      this.server.in(room).disconnectSockets(true);
    });
    // Tokens refused elsewhere (CLI: user removed, password changed) are found by this sweep.
    this.every(this.config.sessionCheckMs, () => void this.closeRevokedSockets());
    this.every(SLOW_CONSUMER_CHECK_MS, () => this.dropSlowConsumers());
  }

  onModuleDestroy(): void {
    for (const timer of this.timers) clearInterval(timer);
  }

  /**
   * SIGTERM: refuse new connections and messages, store and acknowledge those already received,
   * then disconnect every socket (our page reconnects by itself once a server answers).
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.store.drain();
    // Let the acknowledgements of what was just stored go out before the sockets close.
    await new Promise((resolve) => setImmediate(resolve));
    // This instance's sockets only (`local`): through the Redis adapter a plain broadcast would
    // disconnect every instance's clients.
    this.server.local.emit(ChatEvent.Error, errorNotice(SHUTDOWN_ERRORS.restarting));
    const sockets = [...this.server.sockets.sockets.values()];
    // Without closing the transport: the client sees "io server disconnect" and reconnects.
    this.server.local.disconnectSockets(false);
    await flushed(sockets, 1000);
  }

  /** A socket whose token expires is told so and disconnected at that moment. */
  watchExpiry(socket: ChatSocket): void {
    const remaining = expiresAtMs(socket.data.user) - Date.now();
    const timer = setTimeout(
      () => {
        if (expiresAtMs(socket.data.user) > Date.now()) return this.watchExpiry(socket);
        socket.emit(ChatEvent.Error, errorNotice(TOKEN_EXPIRED));
        socket.disconnect(true);
      },
      Math.min(Math.max(remaining, 0), MAX_TIMER_MS),
    );
    timer.unref();
    this.expiryTimers.set(socket, timer);
  }

  /** Its expiry is no longer watched, and its place is free (SocketLimits). */
  disconnected(socket: ChatSocket): void {
    clearTimeout(this.expiryTimers.get(socket));
    this.limits.closed(socket);
  }

  private every(ms: number, task: () => void): void {
    const timer = setInterval(task, ms);
    timer.unref();
    this.timers.push(timer);
  }

  /** A client that stops reading would make us hold everything sent to it: drop it instead. */
  private dropSlowConsumers(): void {
    for (const socket of this.server.sockets.sockets.values()) {
      if (!this.limits.isSlowConsumer(socket)) continue;
      this.logger.warn(
        `dropping ${socket.data.user?.username ?? 'a socket'}: ${LIMIT_ERRORS.slow}`,
      );
      dropNow(socket);
    }
  }

  private async closeRevokedSockets(): Promise<void> {
    const sockets = [...this.server.sockets.sockets.values()].filter((s) => s.data.user);
    if (sockets.length === 0) return;
    try {
      const invalid = await this.sessions.findInvalid(sockets.map((s) => s.data.user));
      for (const socket of sockets) {
        if (invalid.has(socket.data.user.jti)) socket.disconnect(true);
      }
    } catch (error) {
      this.logger.warn(`session check failed: ${String(error)}`);
    }
  }
}
