import type { Provider } from '@nestjs/common';
import { Server } from 'socket.io';
import type { ConfigType } from '@nestjs/config';
import { httpConfig } from '../common/http.config.js';
import type { ChatServer } from './chat-socket.js';

/** Largest socket.io message accepted; a chat message is at most 2,000 characters (8 KB). */
export const MAX_SOCKET_MESSAGE_BYTES = 64 * 1024;

/**
 * The socket.io server, as a provider (inject it with `@Inject(Server)`): delivery, the sweeps
 * and the shutdown get it in their constructors, like any other dependency. Nest's own
 * `@WebSocketServer()` only fills a property of a gateway (not of a service: nestjs/nest#682),
 * once every provider is built, so services would have to be handed the server late
 * (`attach(server)` in afterInit) and check that it came. Here the server exists from the start,
 * with our options, and ChatIoAdapter, which Nest asks for the gateway's server, attaches this
 * very one to the HTTP server and returns it: the gateway's `afterInit(server)` gets the same
 * object. Nothing reaches a client before that: no socket can connect before it.
 */
export const chatServerProvider: Provider = {
  provide: Server,
  inject: [httpConfig.KEY],
  useFactory: (config: ConfigType<typeof httpConfig>): ChatServer =>
    new Server({
      maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES,
      cors: config.corsOrigins.length > 0 ? { origin: config.corsOrigins } : undefined,
    }),
};
