/** LOG_LEVEL's values: pino's levels, most to least severe, and "silent". */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export type LogLevelName = (typeof LOG_LEVELS)[number];

/** The root pino logger's injection token (LoggingModule provides it). */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');
