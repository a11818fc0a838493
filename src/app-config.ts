import { authConfig } from './auth/auth.config.js';
import { chatConfig } from './chat/chat.config.js';
import { httpConfig } from './common/http.config.js';
import { dataDirectory, type Env, validateEnvironment } from './config/environment.js';
import { databaseConfig } from './database/database.config.js';
import { healthConfig } from './health/health.config.js';
import { loggingConfig } from './logging/logging.config.js';
import { docsConfig } from './docs/docs.config.js';
import { messagesConfig } from './messages/messages.config.js';
import { metricsConfig } from './metrics/metrics.config.js';
import { redisConfig } from './redis/redis.config.js';

/** Every feature's slice of the configuration; AppModule registers them all. */
export const FEATURE_CONFIGS = [
  httpConfig,
  databaseConfig,
  redisConfig,
  authConfig,
  messagesConfig,
  chatConfig,
  healthConfig,
  loggingConfig,
  docsConfig,
  metricsConfig,
];

/**
 * The whole configuration as one object, for code that runs outside Nest's container (the
 * tests). Inside it, each feature injects its own slice.
 */
export type AppConfig = ReturnType<typeof loadConfig>;

/** Validates `env` (a ConfigError names the variable) and builds every slice from it. */
export function loadConfig(env: Env = process.env) {
  const valid = validateEnvironment(env);
  const auth = authConfig.build(valid);
  const chat = chatConfig.build(valid);
  return {
    dataDir: dataDirectory(valid),
    ...httpConfig.build(valid),
    ...databaseConfig.build(valid),
    ...messagesConfig.build(valid),
    redis: redisConfig.build(valid),
    docs: docsConfig.build(valid),
    metrics: metricsConfig.build(valid),
    ...auth,
    ...chat,
    limits: { ...auth.limits, ...chat.limits },
  };
}
