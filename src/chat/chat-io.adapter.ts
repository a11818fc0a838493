import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { Server, type ServerOptions } from 'socket.io';
import type { OriginPolicy } from '../common/origin-policy.js';
import { ORIGIN_REFUSED } from '../protocol/index.js';
import { handshakeError } from './error-notice.js';

/**
 * Gives Nest our socket.io server (chatServerProvider: 64 KB messages, CORS_ORIGINS) attached
 * to the HTTP server, where only allowed origins may open a connection (a page elsewhere cannot
 * ride on a user's token, OWASP's cross-site WebSocket hijacking).
 */
export class ChatIoAdapter extends IoAdapter {
  constructor(
    private readonly app: INestApplicationContext,
    private readonly origins: OriginPolicy,
    /** Set behind a trusted proxy (TRUST_PROXY): the client's address from X-Forwarded-For. */
    private readonly clientAddress?: (req: IncomingMessage) => string,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = this.app.get(Server);
    // The options the server was made with win over these (the gateway's; ours has none).
    const httpServer = this.httpServer as HttpServer | undefined;
    if (httpServer && port === 0) server.attach(httpServer, options);
    else server.attach(port, options);
    server.use((socket, next) => {
      // What the per-address limits count: socket.io itself only knows the TCP peer (nginx).
      if (this.clientAddress) socket.handshake.address = this.clientAddress(socket.request);
      const { origin, host } = socket.handshake.headers;
      if (this.origins.isAllowed(origin, host)) next();
      else next(handshakeError(ORIGIN_REFUSED));
    });
    return server;
  }
}
