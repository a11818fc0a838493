import { Inject, Injectable } from '@nestjs/common';
import { Server } from 'socket.io';
import { MessageStore } from '../messages/message-store.service.js';
import type { StoredMessage } from '../messages/stored-message.js';
import { ChatEvent, type PresenceChanges } from '../protocol/index.js';
import {
  type ChatServer,
  PRESENCE_CHANGES_ROOM,
  PRESENCE_FULL_ROOM,
  userRoom,
} from './chat-socket.js';
import { toPrivateWire, toWire } from './message-wire.js';

/**
 * Puts messages on the wire, once they are stored (it listens to the store itself). Recipients
 * are addressed through socket.io rooms (one per user), never by walking the connected sockets,
 * so each delivery costs only its recipients, and a socket.io adapter (Redis, later) carries the
 * same calls across instances.
 */
@Injectable()
export class DeliveryService {
  constructor(
    @Inject(Server) private readonly server: ChatServer,
    store: MessageStore,
  ) {
    // A message goes on the wire only once it is stored.
    store.onStored((messages) => {
      for (const message of messages) this.deliver(message);
    });
  }

  /** Group messages to everyone; private ones to every tab of the recipient and of the sender. */
  deliver(message: StoredMessage): void {
    const { recipient, sender } = message;
    if (recipient === null) {
      this.server.emit(ChatEvent.GroupChat, toWire(message));
    } else {
      this.server
        .to([userRoom(recipient), userRoom(sender)])
        .emit(ChatEvent.SingleChat, toPrivateWire(message, recipient));
    }
  }

  typingTo(recipient: string, user: string): void {
    this.server.to(userRoom(recipient)).emit(ChatEvent.Typing, { user, to: recipient });
  }

  /**
   * The whole list to the clients that want it; only the changes to those that asked for them.
   * `localOnly`: to this instance's sockets (cluster presence: every instance sends its own).
   */
  presenceToEveryone(usernames: string[], changes: PresenceChanges, localOnly = false): void {
    const server = localOnly ? this.server.local : this.server;
    server.to(PRESENCE_FULL_ROOM).emit(ChatEvent.GroupList, { user: '', data: usernames });
    if (changes.online.length > 0 || changes.offline.length > 0)
      server.to(PRESENCE_CHANGES_ROOM).emit(ChatEvent.Presence, changes);
  }

  /** The list to these sockets of this instance (each socket is in a room named by its id). */
  onlineListToSockets(socketIds: string[], usernames: string[]): void {
    this.server.local.to(socketIds).emit(ChatEvent.GroupList, { user: '', data: usernames });
  }
}
