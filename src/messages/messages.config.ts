import { featureConfig } from '../config/feature-config.js';

/** Cluster mode's default CATCH_UP_WINDOW_MS (README, "Catch-up window"). */
export const CLUSTER_CATCH_UP_WINDOW_MS = 10_000;

/** How messages are written and caught up with (MESSAGE_BATCH_*, CATCH_UP_WINDOW_MS). */
export const messagesConfig = featureConfig('messages', (env) => ({
  /** Cluster mode (REDIS_URL): other instances write to the same table at the same time. */
  severalWriters: env.REDIS_URL !== undefined,
  /**
   * A reconnect's catch-up also sends again what was stored this long before its `lastId`
   * (clients drop what they have, by id): with several writers, a message with a smaller id can
   * reach a client after one with a larger id. 0: no window (one writer delivers in id order).
   */
  catchUpWindowMs: env.CATCH_UP_WINDOW_MS ?? (env.REDIS_URL ? CLUSTER_CATCH_UP_WINDOW_MS : 0),
  /** Extra wait before writing a batch of messages (0: write what has arrived at once). */
  messageBatchMs: env.MESSAGE_BATCH_MS ?? 0,
  /** Most messages written by one INSERT (1: no batching). */
  messageBatchMax: env.MESSAGE_BATCH_MAX ?? 500,
}));
