/**
 * Limits that error texts name (the rules themselves are checked in users/user-rules.ts and
 * common/json-depth.ts).
 */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
/**
 * Deeper payloads are refused before validation: class-transformer recurses once per level and
 * overflows the stack at about 2,000 levels. Ours need 2.
 */
export const MAX_JSON_DEPTH = 32;

/** Texts of refused names, passwords and payloads (their codes: ERROR_MESSAGES below). */
export const USERNAME_RULE = 'username must be 1-32 characters: letters, digits, "_", "-" or "."';
export const USERNAME_INVISIBLE =
  'username must begin with a visible character and hold no invisible ones';
export const USERNAME_RESERVED = 'username is reserved';
export const USERNAME_LOOKALIKE = 'username is too like a taken one';
export const PASSWORD_RULE = `password must be ${PASSWORD_MIN}-${PASSWORD_MAX} characters`;
export const TOO_DEEPLY_NESTED = `payload nested too deeply (more than ${MAX_JSON_DEPTH} levels)`;

/**
 * Every error a client can get carries a stable `code` beside its English message: HTTP bodies
 * `{status: 0, code, msg}`, acknowledgements `{status: 0, code, msg}`, event `0`
 * `{user: '', data, code}` and the handshake's `connect_error` (`err.data.code`). The pages show
 * their own words for each code (public/js/strings.js, `code.<code>`); docs/protocol.md lists them.
 * Every text the server sends as an error is in this file.
 *
 * A new error is one line here: an exception or refusal whose message is listed gets that code;
 * any other gets the code of its HTTP status (CODE_BY_STATUS), so no error is ever without one.
 */
export const ERROR_MESSAGES = {
  // By HTTP status, for errors without a code of their own.
  bad_request: 'bad request',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  not_found: 'not found',
  too_many_requests: 'too many requests',
  payload_too_large: 'request body too large',
  service_unavailable: 'service unavailable, try again shortly',
  internal_error: 'internal server error',
  // Requests and accounts.
  validation_failed: 'invalid request',
  too_deeply_nested: TOO_DEEPLY_NESTED,
  bad_credentials: 'wrong username or password',
  token_expired: 'token expired',
  too_many_attempts: 'too many attempts, try again later',
  registration_closed: 'registration is closed',
  username_taken: 'username is taken',
  invalid_username: USERNAME_RULE,
  username_invisible: USERNAME_INVISIBLE,
  username_reserved: USERNAME_RESERVED,
  username_lookalike: USERNAME_LOOKALIKE,
  invalid_password: PASSWORD_RULE,
  origin_refused: 'origin not allowed',
  // Sockets.
  no_such_user: 'no such user',
  not_stored: 'message not stored, try again',
  history_unavailable: 'history unavailable',
  server_restarting: 'server is restarting, send again shortly',
  rate_limited: 'rate limited',
  too_many_sockets: 'too many connections for this user',
  too_many_sockets_from_ip: 'too many connections from this address',
  too_many_refusals: 'disconnected: too many refused messages',
} as const;

export type ErrorCode = keyof typeof ERROR_MESSAGES;

/** What a client gets for every error, beside the envelope of its channel. */
export interface ErrorBody {
  code: ErrorCode;
  msg: string;
}

const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  429: 'too_many_requests',
  503: 'service_unavailable',
};

const CODE_BY_MESSAGE = new Map<string, ErrorCode>(
  Object.entries(ERROR_MESSAGES).map(([code, msg]) => [msg, code as ErrorCode]),
);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_MESSAGES, value);
}

/** The code of a message: its own if listed above, else that of the HTTP status it goes with. */
export function codeOf(msg: string, status = 400): ErrorCode {
  return (
    CODE_BY_MESSAGE.get(msg) ??
    CODE_BY_STATUS[status] ??
    (status >= 500 ? 'internal_error' : 'bad_request')
  );
}

/**
 * A socket refusal that names its code (`new WsException(coded(...))`), for messages that vary
 * (validation) or differ from the one listed. HTTP exceptions name theirs with Nest's own
 * `{ errorCode }` option.
 */
export function coded(code: ErrorCode, message: string = ERROR_MESSAGES[code]) {
  return { code, message };
}

/** The code of a refused input: its own if its message is listed, else validation_failed. */
export function validationCode(msg: string): ErrorCode {
  return CODE_BY_MESSAGE.get(msg) ?? 'validation_failed';
}

/** Refusals on the sockets (their codes are found by codeOf, unless noted). */
export const SERVER_ERRORS = {
  noSuchUser: ERROR_MESSAGES.no_such_user,
  /** Sent with the code internal_error. */
  internal: 'internal error',
  notStored: ERROR_MESSAGES.not_stored,
  historyUnavailable: ERROR_MESSAGES.history_unavailable,
} as const;

/** While the server stops, and while its database is away at a handshake. */
export const SHUTDOWN_ERRORS = {
  restarting: ERROR_MESSAGES.server_restarting,
  /** Sent with the code service_unavailable. */
  unavailable: 'service unavailable',
} as const;

/** What the socket limits refuse (chat/socket-limits.service.ts). */
export const LIMIT_ERRORS = {
  rateLimited: ERROR_MESSAGES.rate_limited,
  tooManySockets: ERROR_MESSAGES.too_many_sockets,
  tooManySocketsFromIp: ERROR_MESSAGES.too_many_sockets_from_ip,
  abuse: ERROR_MESSAGES.too_many_refusals,
  /** Only logged: the socket is dropped without a word. */
  slow: 'disconnected: not reading messages',
} as const;

/** A handshake whose connection closed during the token check: nobody reads it (socket.io drops it). */
export const CONNECTION_GONE = 'connection closed';

/** Event payloads refused before their fields are validated (code validation_failed). */
export const PAYLOAD_ERRORS = {
  notAnObject: 'payload must be an object',
  /** A refusal whose validator gave no message. */
  invalid: 'invalid payload',
} as const;

export const ORIGIN_REFUSED = ERROR_MESSAGES.origin_refused;
