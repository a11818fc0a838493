import { ERROR_MESSAGES } from '../protocol/index.js';

// What a token carries and how it is read, apart from TokenService: the guards, the socket
// handshake and the sessions use these without signing or verifying anything.

/** Claims of our tokens: `sub` is the user id; `data` (as in the original) and `username` the name. */
export interface TokenClaims {
  sub: string;
  data: string;
  username: string;
  /** Token id, for logging out this one token. */
  jti: string;
  /** The user's token version when issued; bumped to refuse all older tokens. */
  ver: number;
  iat: number;
  exp: number;
}

export interface AuthenticatedUser {
  id: number;
  username: string;
  /** Expiry, in seconds since the epoch. */
  exp: number;
  jti: string;
  ver: number;
}

export const TOKEN_EXPIRED = ERROR_MESSAGES.token_expired;
export const UNAUTHORIZED = ERROR_MESSAGES.unauthorized;

/** Small allowance for clocks that disagree by a few seconds (RFC 8725 §3.10 spirit). */
export const CLOCK_TOLERANCE_SECONDS = 5;

/** When a token stops being accepted, in milliseconds since the epoch (clock tolerance included). */
export function expiresAtMs(user: { exp: number }): number {
  return (user.exp + CLOCK_TOLERANCE_SECONDS) * 1000;
}

/** `Authorization: <jwt>` (the original's form) or `Authorization: Bearer <jwt>`. */
export function tokenFromAuthorizationHeader(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  const token = header.replace(/^Bearer\s+/i, '').trim();
  // The original page sends the string "null" when it has no token.
  return token && token !== 'null' && token !== 'undefined' ? token : undefined;
}
