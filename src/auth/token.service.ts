import { randomUUID } from 'node:crypto';
import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService, TokenExpiredError } from '@nestjs/jwt';
import type { ConfigType } from '@nestjs/config';
import { authConfig } from './auth.config.js';
import {
  type AuthenticatedUser,
  CLOCK_TOLERANCE_SECONDS,
  TOKEN_EXPIRED,
  type TokenClaims,
  UNAUTHORIZED,
} from './token.js';
import type { PublicUser } from '../users/public-user.js';

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
