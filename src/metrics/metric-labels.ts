import type { ErrorCode } from '../protocol/index.js';

/** Why an event from a socket was refused (`chat_refused_events_total{reason}`). */
export type RefusalReason =
  | 'validation'
  | 'size'
  | 'rate_limit'
  | 'abuse'
  | 'no_such_user'
  | 'not_stored'
  | 'restarting'
  | 'unauthorized'
  | 'internal';

/** How a login ended (`chat_logins_total{outcome}`). */
export type LoginOutcome = 'success' | 'bad_credentials' | 'throttled' | 'error';

/** What a timed database call was for (`chat_db_query_duration_seconds{operation}`). */
export type DbOperation = 'store_batch' | 'catch_up' | 'history';

/** A database error, as src/database/database-errors.ts tells them apart. */
export type DbErrorKind = 'gone' | 'unavailable' | 'other';

/** Message kinds (`chat_messages_stored_total{kind}`). */
export type MessageKind = 'group' | 'private';

const SIZE_CODES = new Set<ErrorCode>(['too_deeply_nested', 'payload_too_large']);
const VALIDATION_CODES = new Set<ErrorCode>([
  'bad_request',
  'validation_failed',
  'invalid_username',
  'invalid_password',
  'username_invisible',
]);

/**
 * The refusal reason of an error code sent back to a socket (WsErrorFilter): a handful of values,
 * so a label, whatever the message said.
 */
export function refusalReason(code: ErrorCode): RefusalReason {
  if (SIZE_CODES.has(code)) return 'size';
  if (VALIDATION_CODES.has(code)) return 'validation';
  switch (code) {
    case 'rate_limited':
      return 'rate_limit';
    case 'too_many_refusals':
      return 'abuse';
    case 'no_such_user':
      return 'no_such_user';
    case 'not_stored':
    case 'service_unavailable':
      return 'not_stored';
    case 'server_restarting':
      return 'restarting';
    case 'unauthorized':
    case 'token_expired':
      return 'unauthorized';
    default:
      return 'internal';
  }
}
