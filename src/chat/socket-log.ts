import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from '../logging/logging.constants.js';
import type { ChatSocket } from './chat-socket.js';

/**
 * One line per socket connect (accepted, or refused at the handshake with the reason) and one per
 * disconnect (socket.io's reason, and how long the connection lasted). The handshake's `auth`
 * and query hold the token: only the socket id, the user, the address and the transport are
 * written.
 */
@Injectable()
export class SocketLog {
  private readonly logger: Logger;

  constructor(@Inject(ROOT_LOGGER) root: Logger) {
    this.logger = root.child({ context: 'Socket' });
  }

  connected(socket: ChatSocket): void {
    this.logger.info(
      {
        ...fields(socket),
        event: 'connect',
        outcome: 'accepted',
        transport: socket.conn.transport.name,
      },
      'socket connected',
    );
  }

  /** From ChatGateway.handleDisconnect: nothing is kept per socket for this line. */
  disconnected(socket: ChatSocket, reason: string): void {
    this.logger.info(
      {
        ...fields(socket),
        event: 'disconnect',
        reason,
        // socket.io's own stamp of the handshake, which the connect line follows at once.
        durationMs: Date.now() - socket.handshake.issued,
      },
      'socket disconnected',
    );
  }

  refused(socket: ChatSocket, reason: string): void {
    this.logger.info(
      {
        socket: socket.id,
        address: socket.handshake.address,
        event: 'connect',
        outcome: 'refused',
        reason,
      },
      'socket refused',
    );
  }
}

function fields(socket: ChatSocket) {
  return { socket: socket.id, user: socket.data.user?.username, address: socket.handshake.address };
}
