import { featureConfig } from '../config/feature-config.js';

/** How messages are written (MESSAGE_BATCH_MS, MESSAGE_BATCH_MAX). */
export const messagesConfig = featureConfig('messages', (env) => ({
  /** Extra wait before writing a batch of messages (0: write what has arrived at once). */
  messageBatchMs: env.MESSAGE_BATCH_MS ?? 0,
  /** Most messages written by one INSERT (1: no batching). */
  messageBatchMax: env.MESSAGE_BATCH_MAX ?? 500,
}));
