import { Global, Module } from '@nestjs/common';
import { RedisService } from './redis.service.js';

/** Redis for cluster mode (REDIS_URL); in single-process mode RedisService is `enabled: false`. */
@Global()
@Module({
  providers: [RedisService],
  exports: [RedisService],
})
export class RedisModule {}
