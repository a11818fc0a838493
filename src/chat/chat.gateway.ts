import {
  type BeforeApplicationShutdown,
  Inject,
  Logger,
  type OnModuleDestroy,
  UnauthorizedException,
  UseFilters,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WsException,
} from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { AuthService } from '../auth/auth.service.js';
import { SessionsService } from '../auth/sessions.service.js';
import {
  expiresAtMs,
  TOKEN_EXPIRED,
  tokenFromAuthorizationHeader,
  UNAUTHORIZED,
} from '../auth/token.js';
import { ERROR_MESSAGES } from '../common/error-codes.js';
import type { ConfigType } from '@nestjs/config';
import { chatConfig } from './chat.config.js';
import { type MessageDraft, MessageStore } from '../messages/message-store.service.js';
import { toHistoryItem } from '../messages/message-wire.js';
import { MessagesService } from '../messages/messages.service.js';
import { UsersService } from '../users/users.service.js';
import {
  type AckResponse,
  ChatEvent,
  type ChatSocketData,
  type ClientToServerEvents,
  errorNotice,
  handshakeError,
  PRESENCE_CHANGES,
  PRESENCE_CHANGES_ROOM,
  PRESENCE_FULL_ROOM,
  SERVER_ERRORS,
  type ServerToClientEvents,
  tokenRoom,
  userRoom,
} from './chat.events.js';
import { type ChatServer, DeliveryService } from './delivery.service.js';
import { historyChunks } from './history-chunks.js';
import { GroupMessageDto, PrivateMessageDto, TypingDto } from './dto/chat-message.dto.js';
import { PresenceService } from './presence.service.js';
import { dropNow, LIMIT_ERRORS, pendingBytes, SocketLimits } from './socket-limits.service.js';
import { RetryableWsException } from './retryable-ws.exception.js';
import { WsAuthGuard } from './ws-auth.guard.js';
import { WsRateLimitGuard } from './ws-rate-limit.guard.js';
import { WsErrorFilter } from './ws-error.filter.js';
import { WsValidationPipe } from './ws-validation.pipe.js';

type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, object, ChatSocketData>;

/** setTimeout's limit; a token that lives longer is checked again when this fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** A user's typing notices go out at most this often. */
const TYPING_INTERVAL_MS = 1000;
/** How often sockets are checked for unread output piling up. */
const SLOW_CONSUMER_CHECK_MS = 500;
/** Longest wait for a socket to read a catch-up page before the next one is sent anyway. */
const CATCH_UP_DRAIN_MS = 10_000;

const SHUTDOWN_ERRORS = {
  restarting: ERROR_MESSAGES.server_restarting,
  /** Sent with the code service_unavailable. */
  unavailable: 'service unavailable',
} as const;

@WebSocketGateway()
@UseGuards(WsAuthGuard, WsRateLimitGuard)
@UsePipes(WsValidationPipe)
@UseFilters(WsErrorFilter)
export class ChatGateway
  implements
    OnGatewayInit,
    OnGatewayConnection,
    OnGatewayDisconnect,
    OnModuleDestroy,
    BeforeApplicationShutdown
{
  private readonly logger = new Logger(ChatGateway.name);
  private readonly expiryTimers = new WeakMap<ChatSocket, NodeJS.Timeout>();
  private server?: ChatServer;
  private timers: NodeJS.Timeout[] = [];
  private closing = false;

  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
    private readonly presence: PresenceService,
    private readonly delivery: DeliveryService,
    private readonly messages: MessagesService,
    private readonly store: MessageStore,
    private readonly users: UsersService,
    private readonly limits: SocketLimits,
    @Inject(chatConfig.KEY) private readonly config: ConfigType<typeof chatConfig>,
  ) {}

  /** Every connection is authenticated at the handshake: no valid token, no connection. */
  afterInit(server: ChatServer): void {
    this.server = server;
    this.delivery.attach(server);
    // A message goes on the wire only once it is stored.
    this.store.onStored((messages) => {
      for (const message of messages) this.delivery.deliver(message);
    });
    server.use((socket, next) => {
      if (this.closing) return next(handshakeError(SHUTDOWN_ERRORS.restarting));
      this.auth.authenticate(handshakeToken(socket)).then(
        (user) => {
          const refused = this.limits.open(socket, user.username);
          if (refused) return next(handshakeError(refused));
          this.limits.countEveryEvent(socket, user.username);
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
    });
    // A logout here closes that token's sockets at once.
    this.sessions.onRevoked((event) => {
      const room = 'jti' in event ? tokenRoom(event.jti) : userRoom(event.username);
      server.in(room).disconnectSockets(true);
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
    this.closing = true;
    await this.store.drain();
    // Let the acknowledgements of what was just stored go out before the sockets close.
    await new Promise((resolve) => setImmediate(resolve));
    this.server?.emit(ChatEvent.Error, errorNotice(SHUTDOWN_ERRORS.restarting));
    const sockets = [...(this.server?.sockets.sockets.values() ?? [])];
    // Without closing the transport: the client sees "io server disconnect" and reconnects.
    this.server?.disconnectSockets(false);
    await flushed(sockets, 1000);
  }

  async handleConnection(socket: ChatSocket): Promise<void> {
    const { id: userId, username, jti } = socket.data.user;
    // What we need of the handshake request (headers, address, auth) is in socket.handshake; the
    // request object itself would stay in memory for the life of the connection.
    (socket.conn as { request: unknown }).request = null;
    // Join first, then read up to the last stored message: later ones arrive live.
    const fullLists = !wantsPresenceChanges(socket);
    void socket.join([
      userRoom(username),
      tokenRoom(jti),
      fullLists ? PRESENCE_FULL_ROOM : PRESENCE_CHANGES_ROOM,
    ]);
    const untilId = this.store.lastStoredId;
    this.presence.add(username, fullLists);
    this.scheduleExpiry(socket);
    socket.emit(ChatEvent.GroupChat, { user: '', data: `Welcome, ${username}!` });
    // The newcomer gets the list at once; everyone else with the next coalesced broadcast.
    this.presence.sendListTo(socket.id);
    const budget = {
      afford: (pages: number) => this.limits.affordCatchUp(username, pages),
      charge: (pages: number) => this.limits.chargeCatchUp(username, pages),
    };
    try {
      const lastId = handshakeLastId(socket);
      // What waited is delivered once the whole catch-up went out: (after, upTo] of its pages.
      let waited: { after: number; upTo: number } | undefined;
      const { slowConsumerBytes } = this.config.limits;
      for await (const page of this.messages.catchUp(userId, lastId, untilId, budget)) {
        const items = page.messages.map((m) => toHistoryItem(m, userId));
        const chunks = historyChunks(items, slowConsumerBytes / 4);
        for (const [i, data] of chunks.entries()) {
          if (socket.disconnected) return;
          // Each event waits until the previous ones have mostly left: a catch-up must not be
          // taken for a client that does not read (SLOW_CONSUMER_BYTES).
          await flushed([socket], CATCH_UP_DRAIN_MS, slowConsumerBytes / 2);
          if (socket.disconnected) return;
          const done = page.done && i === chunks.length - 1;
          socket.emit(ChatEvent.History, { user: '', data, until: untilId, done, more: page.more });
        }
        if (items.some((item) => item.unread))
          waited = { after: waited?.after ?? page.after, upTo: items[items.length - 1].id };
      }
      // Most connects find nothing waiting: no write for them.
      if (waited && socket.connected)
        await this.messages.markDelivered(userId, waited.after, waited.upTo);
    } catch (error) {
      this.logger.error(error instanceof Error ? error.stack : String(error));
      socket.emit(ChatEvent.Error, errorNotice(SERVER_ERRORS.historyUnavailable));
    }
  }

  handleDisconnect(socket: ChatSocket): void {
    clearTimeout(this.expiryTimers.get(socket));
    // A socket refused at the handshake never had a user and was never counted.
    if (!socket.data.user) return;
    this.presence.remove(socket.data.user.username, !wantsPresenceChanges(socket));
    this.limits.closed(socket);
  }

  /** Stored first; told to everyone (DeliveryService) once stored; acknowledged with its id. */
  @SubscribeMessage(ChatEvent.GroupChat)
  async groupChat(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody() body: GroupMessageDto,
  ): Promise<AckResponse> {
    return this.storeAndAck({
      sender: socket.data.user.username,
      senderId: socket.data.user.id,
      recipient: null,
      text: body.data,
      cid: body.cid,
      delivered: true,
    });
  }

  /** To an offline user it is stored and waits for their next connect; to nobody it is refused. */
  @SubscribeMessage(ChatEvent.SingleChat)
  async singleChat(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody() body: PrivateMessageDto,
  ): Promise<AckResponse> {
    const online = this.presence.isOnline(body.to);
    if (!online && !(await this.users.exists(body.to)))
      throw new WsException(SERVER_ERRORS.noSuchUser);
    return this.storeAndAck({
      sender: socket.data.user.username,
      senderId: socket.data.user.id,
      recipient: body.to,
      text: body.data,
      cid: body.cid,
      delivered: online,
    });
  }

  /** "alice is typing": only to those who would see the message, at most once a second each. */
  @SubscribeMessage(ChatEvent.Typing)
  typing(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: TypingDto): void {
    const now = Date.now();
    if (now - (socket.data.lastTypingAt ?? 0) < TYPING_INTERVAL_MS) return;
    socket.data.lastTypingAt = now;
    const user = socket.data.user.username;
    if (body.to === 'all') socket.broadcast.emit(ChatEvent.Typing, { user, to: 'all' });
    else if (body.to !== user) this.delivery.typingTo(body.to, user);
  }

  /** Acknowledged only once stored; a storage failure is a clear refusal, never a silent loss. */
  private async storeAndAck(draft: MessageDraft): Promise<AckResponse> {
    if (this.closing) throw new RetryableWsException(SHUTDOWN_ERRORS.restarting);
    try {
      const { message } = await this.messages.send(draft);
      return { status: 1, id: message.id, ts: message.ts };
    } catch (error) {
      this.logger.error(error instanceof Error ? error.stack : String(error));
      throw new RetryableWsException(SERVER_ERRORS.notStored);
    }
  }

  private every(ms: number, task: () => void): void {
    const timer = setInterval(task, ms);
    timer.unref();
    this.timers.push(timer);
  }

  /** A client that stops reading would make us hold everything sent to it: drop it instead. */
  private dropSlowConsumers(): void {
    for (const socket of this.server?.sockets.sockets.values() ?? []) {
      if (!this.limits.isSlowConsumer(socket)) continue;
      this.logger.warn(
        `dropping ${socket.data.user?.username ?? 'a socket'}: ${LIMIT_ERRORS.slow}`,
      );
      dropNow(socket);
    }
  }

  private async closeRevokedSockets(): Promise<void> {
    if (!this.server) return;
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

  /** A socket whose token expires is told so and disconnected at that moment. */
  private scheduleExpiry(socket: ChatSocket): void {
    const remaining = expiresAtMs(socket.data.user) - Date.now();
    const timer = setTimeout(
      () => {
        if (expiresAtMs(socket.data.user) > Date.now()) return this.scheduleExpiry(socket);
        socket.emit(ChatEvent.Error, errorNotice(TOKEN_EXPIRED));
        socket.disconnect(true);
      },
      Math.min(Math.max(remaining, 0), MAX_TIMER_MS),
    );
    timer.unref();
    this.expiryTimers.set(socket, timer);
  }
}

/**
 * Waits (at most `limitMs`) until what was written to these sockets has left the process (all
 * but `leftBytes`).
 */
async function flushed(sockets: Socket[], limitMs: number, leftBytes = 0): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline && sockets.some((socket) => pendingBytes(socket) > leftBytes)) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The token from `auth.token`, the `token` query parameter, or the Authorization header. */
function handshakeToken(socket: Socket): string | undefined {
  const { auth, query, headers } = socket.handshake;
  const fromAuth = (auth as { token?: unknown } | undefined)?.token;
  if (typeof fromAuth === 'string' && fromAuth) return tokenFromAuthorizationHeader(fromAuth);
  if (typeof query.token === 'string' && query.token)
    return tokenFromAuthorizationHeader(query.token);
  return tokenFromAuthorizationHeader(headers.authorization);
}

/** `auth.presence: 'changes'`: the client takes online-list changes instead of whole lists. */
function wantsPresenceChanges(socket: Socket): boolean {
  return (
    (socket.handshake.auth as { presence?: unknown } | undefined)?.presence === PRESENCE_CHANGES
  );
}

/** `auth.lastId`: the last message id a reconnecting client saw. */
function handshakeLastId(socket: Socket): number | undefined {
  const value = (socket.handshake.auth as { lastId?: unknown } | undefined)?.lastId;
  const id = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : undefined;
}
