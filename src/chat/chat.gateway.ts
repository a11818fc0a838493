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
import { performance } from 'node:perf_hooks';
import { MessageStore } from '../messages/message-store.service.js';
import { ChatMetrics } from '../metrics/chat-metrics.js';
import { MessagesService } from '../messages/messages.service.js';
import type { MessageDraft } from '../messages/stored-message.js';
import {
  type AckResponse,
  ChatEvent,
  SERVER_ERRORS,
  SHUTDOWN_ERRORS,
  welcomeText,
} from '../protocol/index.js';
import { UsersService } from '../users/users.service.js';
import { CatchUpSender } from './catch-up.sender.js';
import {
  type ChatServer,
  type ChatSocket,
  PRESENCE_CHANGES_ROOM,
  PRESENCE_FULL_ROOM,
  tokenRoom,
  userRoom,
} from './chat-socket.js';
import { DeliveryService } from './delivery.service.js';
import {
  CatchUpDto,
  GroupMessageDto,
  PrivateMessageDto,
  TypingDto,
} from './dto/chat-message.dto.js';
import { ChatHandshake, handshakeLastId, wantsPresenceChanges } from './handshake.js';
import { PresenceService } from './presence.service.js';
import { RetryableWsException } from './retryable-ws.exception.js';
import { SocketLifecycle } from './socket-lifecycle.service.js';
import { SocketLog } from './socket-log.js';
import { WsAuthGuard } from './ws-auth.guard.js';
import { WsErrorFilter } from './ws-error.filter.js';
import { WsRateLimitGuard } from './ws-rate-limit.guard.js';
import { WsValidationPipe } from './ws-validation.pipe.js';

/** A user's typing notices go out at most this often. */
const TYPING_INTERVAL_MS = 1000;

/**
 * The sockets' entry points: the handshake (ChatHandshake), connect, disconnect and the events
 * clients send. Messages are stored here and put on the wire by DeliveryService once stored.
 */
@WebSocketGateway()
@UseGuards(WsAuthGuard, WsRateLimitGuard)
@UsePipes(WsValidationPipe)
@UseFilters(WsErrorFilter)
export class ChatGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(ChatGateway.name);

  constructor(
    private readonly handshake: ChatHandshake,
    private readonly lifecycle: SocketLifecycle,
    private readonly catchUp: CatchUpSender,
    private readonly presence: PresenceService,
    private readonly delivery: DeliveryService,
    private readonly messages: MessagesService,
    private readonly store: MessageStore,
    private readonly users: UsersService,
    private readonly socketLog: SocketLog,
    private readonly metrics: ChatMetrics,
  ) {}

  /** Every connection is authenticated at the handshake: no valid token, no connection. */
  afterInit(server: ChatServer): void {
    server.use(this.handshake.middleware);
  }

  async handleConnection(socket: ChatSocket): Promise<void> {
    const { username, jti } = socket.data.user;
    // What we need of the handshake request (headers, address, auth) is in socket.handshake; the
    // request object itself would stay in memory for the life of the connection.
    (socket.conn as { request: unknown }).request = null;
    this.socketLog.connected(socket);
    // Join first, then read up to the last stored message: later ones arrive live.
    const fullLists = !wantsPresenceChanges(socket);
    void socket.join([
      userRoom(username),
      tokenRoom(jti),
      fullLists ? PRESENCE_FULL_ROOM : PRESENCE_CHANGES_ROOM,
    ]);
    // Read now, after the join; awaited by the catch-up (which reports a failure to the client).
    const untilId = this.store.catchUpUntil();
    socket.emit(ChatEvent.GroupChat, { user: '', data: welcomeText(username) });
    // The newcomer gets the list at once; everyone else with the next coalesced broadcast.
    this.presence.sendListTo(socket.id);
    await this.catchUp.send(socket, handshakeLastId(socket), untilId);
  }

  handleDisconnect(socket: ChatSocket, reason: string): void {
    this.socketLog.disconnected(socket, reason);
    this.lifecycle.disconnected(socket);
  }

  /** Stored first; told to everyone (DeliveryService) once stored; acknowledged with its id. */
  @SubscribeMessage(ChatEvent.GroupChat)
  async groupChat(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody() body: GroupMessageDto,
  ): Promise<AckResponse> {
    return this.storeAndAck({
      receivedAt: performance.now(),
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
    const receivedAt = performance.now();
    const online = this.presence.isOnline(body.to);
    if (!online && !(await this.users.exists(body.to)))
      throw new WsException(SERVER_ERRORS.noSuchUser);
    return this.storeAndAck({
      receivedAt,
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

  /**
   * A catch-up on request, as after a connect: what was stored after `lastId` (with the catch-up
   * window), as `history` pages. Our page asks after a `resync` (ClusterResync).
   */
  @SubscribeMessage(ChatEvent.CatchUp)
  async catchUpFrom(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody() body: CatchUpDto,
  ): Promise<void> {
    await this.catchUp.send(socket, body.lastId, this.store.catchUpUntil());
  }

  /** Acknowledged only once stored; a storage failure is a clear refusal, never a silent loss. */
  private async storeAndAck(draft: MessageDraft): Promise<AckResponse> {
    if (this.lifecycle.closing) throw new RetryableWsException(SHUTDOWN_ERRORS.restarting);
    try {
      const { message } = await this.messages.send(draft);
      // The acknowledgement goes out as this returns.
      this.metrics.ackSeconds.observe((performance.now() - draft.receivedAt!) / 1000);
      return { status: 1, id: message.id, ts: message.ts };
    } catch (error) {
      this.logger.error(error instanceof Error ? error.stack : String(error));
      throw new RetryableWsException(SERVER_ERRORS.notStored);
    }
  }
}
