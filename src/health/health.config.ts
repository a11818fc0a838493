import { featureConfig } from '../config/feature-config.js';

/** How a stop lets the load balancer notice first (DRAIN_DELAY_MS). */
export const healthConfig = featureConfig('health', (env) => ({
  /**
   * After SIGTERM, /health/ready answers 503 for this long while everything else is served as
   * before, then the drain starts. A load balancer that probes every few seconds needs that
   * moment to stop sending new clients; in development and tests a stop is immediate.
   */
  drainDelayMs: env.DRAIN_DELAY_MS ?? (env.NODE_ENV === 'production' ? 2000 : 0),
}));
