import type { Provider } from '@nestjs/common';
import { RedisService } from '../redis/redis.service.js';
import { MemoryPresenceStore } from './memory-presence.store.js';
import { PresenceStore } from './presence-store.js';
import { RedisPresenceStore } from './redis-presence.store.js';

/** Presence counted in this process, or in Redis across instances when REDIS_URL is set. */
export const presenceStoreProvider: Provider = {
  provide: PresenceStore,
  inject: [RedisService],
  useFactory: (redis: RedisService): PresenceStore =>
    redis.enabled ? new RedisPresenceStore(redis) : new MemoryPresenceStore(),
};
