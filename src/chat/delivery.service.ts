import { Injectable } from '@nestjs/common';
import type { Server } from 'socket.io';
import {
  ChatEvent,
  type ChatSocketData,
  type ClientToServerEvents,
  type GroupChatMessage,
  type ServerToClientEvents,
  type SingleChatMessage,
  userRoom,
} from './chat.events.js';

export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, object, ChatSocketData>;

/**
 * Puts messages on the wire. Recipients are addressed through socket.io rooms (one per user),
 * never by walking the connected sockets, so each delivery costs only its recipients, and a
 * socket.io adapter (Redis, later) carries the same calls across instances.
 */
@Injectable()
export class DeliveryService {
  private server?: ChatServer;

  attach(server: ChatServer): void {
    this.server = server;
  }

  toEveryone(message: GroupChatMessage): void {
    this.io().emit(ChatEvent.GroupChat, message);
  }

  /** To every tab of the recipient and of the sender. */
  toConversation(message: SingleChatMessage): void {
    this.io()
      .to([userRoom(message.to), userRoom(message.user)])
      .emit(ChatEvent.SingleChat, message);
  }

  onlineListToEveryone(usernames: string[]): void {
    this.io().emit(ChatEvent.GroupList, { user: '', data: usernames });
  }

  private io(): ChatServer {
    if (!this.server) throw new Error('DeliveryService used before the gateway started');
    return this.server;
  }
}
