import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { isObservable } from 'rxjs';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import type { OriginPolicy } from '../common/origin-policy.js';
import { ORIGIN_REFUSED } from '../protocol/index.js';
import { handshakeError } from './error-notice.js';

/** Where a socket keeps the handlers Nest bound for it (its gateway's, with the socket bound in). */
const HANDLERS = Symbol('messageHandlers');
type HandledSocket = Socket & { [HANDLERS]?: MessageMappingProperties[] };
type Ack = (response: unknown) => void;
type Listener = (this: HandledSocket, ...args: unknown[]) => void;

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as { then?: unknown } | null)?.then === 'function';

/**
 * Gives Nest our socket.io server (chatServerProvider: 64 KB messages, CORS_ORIGINS) attached
 * to the HTTP server, where only allowed origins may open a connection (a page elsewhere cannot
 * ride on a user's token, OWASP's cross-site WebSocket hijacking).
 *
 * It also binds the gateway's handlers to each socket with plain listeners. Nest's own binding
 * builds an rxjs pipeline per handler per socket (fromEvent, mergeMap, takeUntil: about 100
 * closures and contexts per socket, most of a connection's heap); the guards, pipes,
 * interceptors and exception filters are not in it but in the callback Nest builds once per
 * gateway, so they all still apply. Here one listener per event name serves every socket: the
 * socket is `this`, and its own handlers hang on it.
 */
export class ChatIoAdapter extends IoAdapter {
  private readonly listeners = new Map<string, Listener>();
  /** At disconnect, as Nest's takeUntil: the socket's listeners go. */
  private readonly unbind = unbindFrom(this.listeners);

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

  /**
   * Nest's semantics without its per-socket pipeline: the payload split into data and ack, the
   * result (a value, a Promise or an Observable) sent as `{event, data}` or as the ack's
   * answer (unless the handler takes the ack itself), nil results ignored, and an error logged
   * without ending the listener: the socket's later events are handled as before. Nest's
   * `transform` is not needed: a Promise or a value is handled here, an Observable subscribed.
   */
  override bindMessageHandlers(socket: HandledSocket, handlers: MessageMappingProperties[]): void {
    if (handlers.length === 0) return;
    const bound = socket[HANDLERS];
    // A second gateway on the same namespace adds its handlers (rare: ours has one).
    socket[HANDLERS] = bound ? bound.concat(handlers) : handlers;
    for (const { message } of handlers) {
      const listener = this.listenerFor(String(message));
      if (!socket.listeners(String(message)).includes(listener))
        socket.on(String(message), listener);
    }
    if (!bound) socket.on('disconnect', this.unbind);
  }

  /**
   * Nest's own wraps the callback in a closure and `once` (two more objects per socket); a
   * socket disconnects once, and the callback takes the reason first.
   */
  override bindClientDisconnect(client: Socket, callback: (reason: string) => void): void {
    client.on('disconnect', callback);
  }

  private listenerFor(message: string): Listener {
    let listener = this.listeners.get(message);
    if (!listener) {
      const dispatch = this.dispatch.bind(this);
      // As rxjs's fromEvent: one argument as is, several as an array.
      listener = function (this: HandledSocket, ...args: unknown[]) {
        dispatch(this, message, args.length > 1 ? args : args[0]);
      };
      this.listeners.set(message, listener);
    }
    return listener;
  }

  private dispatch(socket: HandledSocket, message: string, payload: unknown): void {
    for (const handler of socket[HANDLERS] ?? []) {
      if (handler.message !== message) continue;
      const mapped = this.mapPayload(payload);
      const data: unknown = mapped.data;
      const ack = mapped.ack as Ack | undefined;
      const respond = (response: unknown) =>
        this.respond(socket, response, ack, handler.isAckHandledManually);
      try {
        const result: unknown = handler.callback(data, ack);
        if (isThenable(result))
          result.then(
            (value: unknown) => this.settle(value, respond),
            (error: unknown) => this.logger.error(error),
          );
        else this.settle(result, respond);
      } catch (error) {
        this.logger.error(error);
      }
    }
  }

  /** Nest's callbacks return a Promise of the handler's result, which may be an Observable. */
  private settle(result: unknown, respond: (response: unknown) => void): void {
    if (isObservable(result))
      result.subscribe({ next: respond, error: (error: unknown) => this.logger.error(error) });
    else respond(result);
  }

  private respond(
    socket: Socket,
    response: unknown,
    ack: Ack | undefined,
    isAckHandledManually: boolean,
  ): void {
    if (response === null || response === undefined) return;
    try {
      // As Nest: `{event, data}` is emitted (the event name as the handler gave it).
      const { event, data } = response as { event?: string; data?: unknown };
      if (event) socket.emit(event, data);
      else if (!isAckHandledManually && typeof ack === 'function') ack(response);
    } catch (error) {
      this.logger.error(error);
    }
  }
}

/** The disconnect listener, one function for every socket (`this`): off go its listeners. */
function unbindFrom(listeners: ReadonlyMap<string, Listener>): (this: HandledSocket) => void {
  return function unbind(this: HandledSocket): void {
    for (const { message } of this[HANDLERS] ?? []) {
      const listener = listeners.get(String(message));
      if (listener) this.off(String(message), listener);
    }
    this.off('disconnect', unbind);
    this[HANDLERS] = undefined;
  };
}
