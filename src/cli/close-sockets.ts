import { Emitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import { userRoom } from '../chat/chat-socket.js';

/** The CLI does not wait longer than this for Redis: the servers' session sweep is the fallback. */
const CONNECT_TIMEOUT_MS = 2000;

/**
 * Cluster mode: closes every socket of `username` on every instance, through the instances' own
 * Redis adapter channel (the official emitter speaks its protocol), as a logout everywhere on an
 * instance does. The CLI has no socket.io server of its own to do it with.
 */
export async function closeSocketsEverywhere(redisUrl: string, username: string): Promise<void> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // One attempt: a command line tool must not hang while Redis is away.
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    new Emitter(redis).in(userRoom(username)).disconnectSockets(true);
    // QUIT is sent after the PUBLISH on the same connection: once it answers, the request is out.
    await redis.quit();
  } finally {
    redis.disconnect();
  }
}
