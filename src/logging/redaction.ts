/** What replaces a secret in a log line. */
export const REDACTED = '[redacted]';

/**
 * Paths pino blanks in every line, wherever a request, a handshake or a body could put a
 * secret: the serializers below already leave headers and bodies out, this is the second lock.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["set-cookie"]',
  'res.headers["set-cookie"]',
  'res.headers.authorization',
  'headers.authorization',
  'headers.cookie',
  'handshake.auth',
  'handshake.headers.authorization',
  'handshake.headers.cookie',
  'auth',
  'token',
  'password',
  'body.password',
  'body.oldPassword',
  'body.newPassword',
  'req.body.password',
  'query.token',
  'req.query.token',
];

/** Query parameters whose value is a secret. */
const SECRET_PARAMS = /([?&](?:token|access_token|password)=)[^&#]*/gi;

/** A URL (path and query) with the token (or a password) in its query string replaced. */
export function sanitizeUrl(url: string | undefined): string | undefined {
  return url?.replace(SECRET_PARAMS, `$1${REDACTED}`);
}
