import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { featureConfig } from '../config/feature-config.js';

/**
 * Cluster mode (REDIS_URL): instances share delivery, presence, limits and revocation through
 * Redis. Unset: one process, everything in memory, no Redis needed.
 */
export const redisConfig = featureConfig('redis', (env) => ({
  url: env.REDIS_URL ?? null,
  /** This process among the instances: owns its presence entries in Redis. */
  instanceId: `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
}));
