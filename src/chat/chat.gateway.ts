import { Logger, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
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
import {
  TOKEN_EXPIRED,
  TokenService,
  tokenFromAuthorizationHeader,
} from '../auth/token.service.js';
import {
  ChatEvent,
  type ChatSocketData,
  type ClientToServerEvents,
  SERVER_ERRORS,
  type ServerToClientEvents,
  userRoom,
} from './chat.events.js';
import { type ChatServer, DeliveryService } from './delivery.service.js';
import { GroupMessageDto, PrivateMessageDto } from './dto/chat-message.dto.js';
import { PresenceService } from './presence.service.js';
import { WsAuthGuard } from './ws-auth.guard.js';
import { WsErrorFilter } from './ws-error.filter.js';
import { WsValidationPipe } from './ws-validation.pipe.js';

type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, object, ChatSocketData>;

/** setTimeout's limit; a token that lives longer is checked again when this fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

@WebSocketGateway()
@UseGuards(WsAuthGuard)
@UsePipes(WsValidationPipe)
@UseFilters(WsErrorFilter)
export class ChatGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(ChatGateway.name);
  private readonly expiryTimers = new WeakMap<ChatSocket, NodeJS.Timeout>();

  constructor(
    private readonly tokens: TokenService,
    private readonly presence: PresenceService,
    private readonly delivery: DeliveryService,
  ) {}

  /** Every connection is authenticated at the handshake: no valid token, no connection. */
  afterInit(server: ChatServer): void {
    this.delivery.attach(server);
    server.use((socket, next) => {
      try {
        socket.data.user = this.tokens.verify(handshakeToken(socket));
        next();
      } catch (error) {
        const reason =
          error instanceof Error && error.message === TOKEN_EXPIRED
            ? TOKEN_EXPIRED
            : 'unauthorized';
        next(new Error(reason));
      }
    });
  }

  handleConnection(socket: ChatSocket): void {
    const { username } = socket.data.user;
    void socket.join(userRoom(username));
    this.presence.add(username);
    this.scheduleExpiry(socket);
    socket.emit(ChatEvent.GroupChat, { user: '', data: `Welcome, ${username}!` });
    // The newcomer gets the list at once; everyone else with the next coalesced broadcast.
    socket.emit(ChatEvent.GroupList, { user: '', data: this.presence.list() });
  }

  handleDisconnect(socket: ChatSocket): void {
    clearTimeout(this.expiryTimers.get(socket));
    // A socket refused at the handshake never had a user and was never counted.
    if (socket.data.user) this.presence.remove(socket.data.user.username);
  }

  @SubscribeMessage(ChatEvent.GroupChat)
  groupChat(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: GroupMessageDto) {
    const ts = Date.now();
    this.delivery.toEveryone({ user: socket.data.user.username, data: body.data, ts });
    return { status: 1, ts };
  }

  @SubscribeMessage(ChatEvent.SingleChat)
  singleChat(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: PrivateMessageDto) {
    if (!this.presence.isOnline(body.to)) throw new WsException(SERVER_ERRORS.notOnline);
    const ts = Date.now();
    this.delivery.toConversation({
      user: socket.data.user.username,
      data: body.data,
      to: body.to,
      ts,
    });
    return { status: 1, ts };
  }

  /** A socket whose token expires is told so and disconnected at that moment. */
  private scheduleExpiry(socket: ChatSocket): void {
    const remaining = socket.data.user.exp * 1000 - Date.now();
    const timer = setTimeout(
      () => {
        if (socket.data.user.exp * 1000 > Date.now()) return this.scheduleExpiry(socket);
        socket.emit(ChatEvent.Error, { user: '', data: TOKEN_EXPIRED });
        socket.disconnect(true);
        this.logger.debug(`token of ${socket.data.user.username} expired`);
      },
      Math.min(Math.max(remaining, 0), MAX_TIMER_MS),
    );
    timer.unref();
    this.expiryTimers.set(socket, timer);
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
