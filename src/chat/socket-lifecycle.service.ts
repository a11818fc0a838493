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

/**
 * How often every socket is checked for unread output piling up and for its token's expiry: one
 * pass for all (a timer per socket cost ~300 bytes of heap each), so an expired socket goes
 * within this much of its expiry (the auth guard refuses its events from that very moment).
 */
const SWEEP_MS = 500;

/**
 * How sockets end, besides their own disconnect: at their token's expiry, at a logout, when a
 * sweep finds their token refused (CLI: user removed, password changed) or their output piling up
 * unread, and when the server stops.
 */
@Injectable()
export class SocketLifecycle implements OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(SocketLifecycle.name);
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
    this.every(SWEEP_MS, () => this.sweep());
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

  /** Its place is free (SocketLimits). */
  disconnected(socket: ChatSocket): void {
    this.limits.closed(socket);
  }

  private every(ms: number, task: () => void): void {
    const timer = setInterval(task, ms);
    timer.unref();
    this.timers.push(timer);
  }

  /**
   * A socket whose token has expired is told so and disconnected. A client that stops reading
   * would make us hold everything sent to it: it is dropped instead.
   */
  private sweep(): void {
    const now = Date.now();
    for (const socket of this.server.sockets.sockets.values()) {
      const { user } = socket.data;
      if (user && expiresAtMs(user) <= now) {
        socket.emit(ChatEvent.Error, errorNotice(TOKEN_EXPIRED));
        socket.disconnect(true);
      } else if (this.limits.isSlowConsumer(socket)) {
        this.logger.warn(`dropping ${user?.username ?? 'a socket'}: ${LIMIT_ERRORS.slow}`);
        dropNow(socket);
      }
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
