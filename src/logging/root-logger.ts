import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';
import { REDACT_PATHS, REDACTED } from './redaction.js';
import type { LogLevelName } from './logging.constants.js';

export interface RootLoggerOptions {
  level: LogLevelName;
  pretty: boolean;
  /** This process among the instances (redis.config.ts), on every line. */
  instance: string;
}

/**
 * The one pino logger of the process: Nest's Logger, the HTTP request lines and the socket lines
 * all write through it. JSON on stdout, one object a line; pretty (pino-pretty) when asked and
 * installed: it is a development dependency, absent from a production install.
 */
export async function createRootLogger(options: RootLoggerOptions): Promise<Logger> {
  const settings = {
    level: options.level,
    base: { instance: options.instance },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    timestamp: pino.stdTimeFunctions.isoTime,
    // "info", not 30: read by people and by log tools alike.
    formatters: { level: (label: string) => ({ level: label }) },
  };
  const pretty = options.pretty ? await prettyStream() : undefined;
  // Synchronous: a line written just before process.exit (a stop, a fatal error) is not lost.
  return pino(settings, pretty ?? pino.destination({ dest: 1, sync: true }));
}

async function prettyStream(): Promise<DestinationStream | undefined> {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
  } catch {
    return undefined;
  }
  const { default: pretty } = await import('pino-pretty');
  return pretty({
    colorize: true,
    sync: true,
    ignore: 'pid,hostname,context',
    messageFormat: '{if context}[{context}] {end}{msg}',
  });
}
