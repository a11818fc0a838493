import { featureConfig } from '../config/feature-config.js';
import type { LogLevelName } from './logging.constants.js';

/** LOG_LEVEL, and whether lines are printed for a person (a terminal in development) or as JSON. */
export const loggingConfig = featureConfig('logging', (env) => ({
  level: (env.LOG_LEVEL ?? 'info') as LogLevelName,
  /** Pretty only for a person at a terminal; pipes, files and production get JSON. */
  pretty: process.stdout.isTTY === true && env.NODE_ENV !== 'production',
}));
