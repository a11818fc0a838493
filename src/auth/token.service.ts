import { randomUUID } from 'node:crypto';
import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService, TokenExpiredError } from '@nestjs/jwt';
import { ERROR_MESSAGES } from '../common/error-codes.js';
import type { ConfigType } from '@nestjs/config';
import { authConfig } from './auth.config.js';
import type { PublicUser } from '../users/users.service.js';

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
export const CLOCK_TOLERANCE_SECONDS = 5;

/** When a token stops being accepted, in milliseconds since the epoch (clock tolerance included). */
export function expiresAtMs(user: { exp: number }): number {
  return (user.exp + CLOCK_TOLERANCE_SECONDS) * 1000;
}
export const UNAUTHORIZED = ERROR_MESSAGES.unauthorized;

/** Signs and verifies HS256 JWTs with JWT_SECRET (AuthModule gives JwtService the key); no other algorithm is ever accepted. */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
  ) {}

  sign(user: PublicUser): string {
    return this.jwt.sign(
      {
        sub: String(user.id),
        data: user.username,
        username: user.username,
        jti: randomUUID(),
        ver: user.tokenVersion,
      },
      {
        algorithm: 'HS256',
        expiresIn: this.config.jwtExpiresInSeconds,
        issuer: this.config.jwtIssuer,
        audience: this.config.jwtAudience,
      },
    );
  }

  /**
   * The token's user if its signature and expiry are good; UnauthorizedException with
   * `token expired` or `unauthorized` otherwise. Revocation is SessionsService's to check.
   */
  verify(token: string | undefined): AuthenticatedUser {
    if (!token) throw new UnauthorizedException(UNAUTHORIZED);
    let claims: TokenClaims;
    try {
      claims = this.jwt.verify<TokenClaims>(token, {
        algorithms: ['HS256'],
        issuer: this.config.jwtIssuer,
        audience: this.config.jwtAudience,
        // Small allowance for clocks that disagree by a few seconds (RFC 8725 §3.10 spirit).
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
    } catch (error) {
      throw new UnauthorizedException(
        error instanceof TokenExpiredError ? TOKEN_EXPIRED : UNAUTHORIZED,
      );
    }
    const id = Number(claims.sub);
    if (
      !Number.isSafeInteger(id) ||
      typeof claims.data !== 'string' ||
      typeof claims.exp !== 'number' ||
      typeof claims.jti !== 'string' ||
      !Number.isSafeInteger(claims.ver)
    ) {
      throw new UnauthorizedException(UNAUTHORIZED);
    }
    return { id, username: claims.data, exp: claims.exp, jti: claims.jti, ver: claims.ver };
  }
}

/** `Authorization: <jwt>` (the original's form) or `Authorization: Bearer <jwt>`. */
export function tokenFromAuthorizationHeader(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  const token = header.replace(/^Bearer\s+/i, '').trim();
  // The original page sends the string "null" when it has no token.
  return token && token !== 'null' && token !== 'undefined' ? token : undefined;
}
