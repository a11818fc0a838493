import { Logger, type Provider } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { httpConfig } from '../common/http.config.js';
import { ChatMetrics } from '../metrics/chat-metrics.js';
import { RedisService } from '../redis/redis.service.js';
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
  inject: [httpConfig.KEY, RedisService, ChatMetrics],
  useFactory: (
    config: ConfigType<typeof httpConfig>,
    redis: RedisService,
    metrics: ChatMetrics,
  ): ChatServer => {
    const server: ChatServer = new Server({
      maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES,
      cors: config.corsOrigins.length > 0 ? { origin: config.corsOrigins } : undefined,
    });
    if (redis.enabled) useRedisAdapter(server, redis, metrics);
    return server;
  },
};

/**
 * Cluster mode: broadcasts, rooms and disconnectSockets reach every instance through the
 * official Redis adapter (classic Pub/Sub). Requests between instances are answered on a
 * channel per requester (publishOnSpecificResponseChannel), so an instance is not woken by
 * answers meant for others. An adapter error is logged, never thrown: with Redis away each
 * instance still serves its own clients.
 */
function useRedisAdapter(server: ChatServer, redis: RedisService, metrics: ChatMetrics): void {
  const logger = new Logger('RedisAdapter');
  server.adapter(
    createAdapter(
      quietPublisher(redis.connect('publisher', { offlineQueue: true })),
      redis.connect('subscriber', { offlineQueue: true }),
      {
        publishOnSpecificResponseChannel: true,
      },
    ),
  );
  server.of('/').adapter.on('error', (error: unknown) => {
    metrics.adapterErrors.inc();
    logger.warn(`adapter: ${error instanceof Error ? error.message : String(error)}`);
  });
}

/**
 * The adapter publishes without waiting for the answer: while Redis is away each publish fails
 * (after the offline queue's one retry, or its timeout), and would be an unhandled rejection
 * logged as an error, one per message. The connection's own error listener reports the outage
 * once, and ClusterResync makes up for what was not published once Redis is back.
 */
function quietPublisher(publisher: Redis): Redis {
  const publish = publisher.publish.bind(publisher);
  publisher.publish = (...args: Parameters<typeof publish>) => {
    const sent = publish(...args);
    sent.catch(() => undefined);
    return sent;
  };
  return publisher;
}
