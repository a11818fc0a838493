import { Injectable } from '@nestjs/common';
import type { Server } from 'socket.io';
import type { StoredMessage } from '../messages/message-store.service.js';
import {
  ChatEvent,
  type ChatSocketData,
  type ClientToServerEvents,
  PRESENCE_CHANGES_ROOM,
  PRESENCE_FULL_ROOM,
  type PresenceChanges,
  type ServerToClientEvents,
  userRoom,
} from './chat.events.js';

export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, object, ChatSocketData>;

/**
 * Puts messages on the wire, once they are stored. Recipients are addressed through socket.io
 * rooms (one per user), never by walking the connected sockets, so each delivery costs only its
 * recipients, and a socket.io adapter (Redis, later) carries the same calls across instances.
 */
@Injectable()
export class DeliveryService {
  private server?: ChatServer;

  attach(server: ChatServer): void {
    this.server = server;
  }

  /** Group messages to everyone; private ones to every tab of the recipient and of the sender. */
  deliver(message: StoredMessage): void {
    const { id, sender: user, recipient, text: data, ts, cid } = message;
    const wire = cid ? { user, data, id, ts, cid } : { user, data, id, ts };
    if (recipient === null) {
      this.io().emit(ChatEvent.GroupChat, wire);
    } else {
      this.io()
        .to([userRoom(recipient), userRoom(user)])
        .emit(ChatEvent.SingleChat, { ...wire, to: recipient });
    }
  }

  typingTo(recipient: string, user: string): void {
    this.io().to(userRoom(recipient)).emit(ChatEvent.Typing, { user, to: recipient });
  }

  /** The whole list to the clients that want it; only the changes to those that asked for them. */
  presenceToEveryone(usernames: string[], changes: PresenceChanges): void {
    this.io().to(PRESENCE_FULL_ROOM).emit(ChatEvent.GroupList, { user: '', data: usernames });
    if (changes.online.length > 0 || changes.offline.length > 0)
      this.io().to(PRESENCE_CHANGES_ROOM).emit(ChatEvent.Presence, changes);
  }

  /** The list to these sockets of this instance (each socket is in a room named by its id). */
  onlineListToSockets(socketIds: string[], usernames: string[]): void {
    this.io().local.to(socketIds).emit(ChatEvent.GroupList, { user: '', data: usernames });
  }

  private io(): ChatServer {
    if (!this.server) throw new Error('DeliveryService used before the gateway started');
    return this.server;
  }
}
