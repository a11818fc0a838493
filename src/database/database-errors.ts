import { QueryFailedError } from 'typeorm';

/**
 * The database the server opened is no longer there (dropped, or its tables are): the server
 * stops rather than carry on (see DatabaseWatchdog); until then, as for an outage, 503.
 */
const GONE_CODES = [
  'ER_BAD_DB_ERROR', // unknown database
  'ER_NO_DB_ERROR', // no database selected: the connection's database was dropped
  'ER_NO_SUCH_TABLE',
];

/** The SQLite file the server opened was removed or replaced: nothing written now would last. */
export class DatabaseGoneError extends Error {
  override readonly name = 'DatabaseGoneError';
}

/** Driver codes that mean "the database cannot be reached right now", not "the query is wrong". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'SQLITE_BUSY',
  'SQLITE_IOERR',
  ...GONE_CODES,
]);

export function isDatabaseGone(error: unknown): boolean {
  if (error instanceof DatabaseGoneError) return true;
  const driverError = error instanceof QueryFailedError ? (error.driverError as unknown) : error;
  const { code } = (driverError ?? {}) as { code?: unknown };
  return typeof code === 'string' && GONE_CODES.includes(code);
}

export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseGoneError) return true;
  const driverError = error instanceof QueryFailedError ? (error.driverError as unknown) : error;
  const { code, message } = (driverError ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  // mysql2 reports its own query timeout and a closed pool by message only.
  return (
    typeof message === 'string' &&
    /Query inactivity timeout|Pool is closed|connect ETIMEDOUT/i.test(message)
  );
}
