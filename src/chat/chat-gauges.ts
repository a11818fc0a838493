import { Inject, Injectable } from '@nestjs/common';
import { Server } from 'socket.io';
import { ChatMetrics } from '../metrics/chat-metrics.js';
import type { ChatServer } from './chat-socket.js';
import { PresenceService } from './presence.service.js';

/**
 * What the metrics read from the sockets: open sockets (this instance's), users online (the
 * presence list: cluster-wide in cluster mode), read when scraped; and each disconnect, by
 * socket.io's reason ("transport close", "ping timeout", "server namespace disconnect", ...).
 */
@Injectable()
export class ChatGauges {
  constructor(@Inject(Server) server: ChatServer, presence: PresenceService, metrics: ChatMetrics) {
    metrics.readFrom({
      openSockets: () => server.of('/').sockets.size,
      usersOnline: () => presence.list().length,
    });
    // One listener for every socket (a disconnect comes once per socket): nothing per socket.
    const counted = (reason: string) => metrics.disconnects.inc({ reason });
    server.on('connection', (socket) => socket.on('disconnect', counted));
  }
}
