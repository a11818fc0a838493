import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';
import type { ConfigType } from '@nestjs/config';
import type { httpConfig } from '../common/http.config.js';
import { ORIGIN_REFUSED, type OriginPolicy } from '../common/origin-policy.js';
import { handshakeError } from './chat.events.js';

/** Largest socket.io message accepted; a chat message is at most 2,000 characters (8 KB). */
export const MAX_SOCKET_MESSAGE_BYTES = 64 * 1024;

/**
 * The socket.io server with our limits: 64 KB messages, and only allowed origins may open a
 * connection (a page elsewhere cannot ride on a user's token, OWASP's cross-site WebSocket
 * hijacking).
 */
export class ChatIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly config: ConfigType<typeof httpConfig>,
    private readonly origins: OriginPolicy,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...options,
      maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES,
      cors: this.config.corsOrigins.length > 0 ? { origin: this.config.corsOrigins } : undefined,
    } as ServerOptions);
    server.use((socket, next) => {
      const { origin, host } = socket.handshake.headers;
      if (this.origins.isAllowed(origin, host)) next();
      else next(handshakeError(ORIGIN_REFUSED));
    });
    return server;
  }
}
