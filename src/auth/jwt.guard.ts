import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import {
  type AuthenticatedUser,
  TokenService,
  tokenFromAuthorizationHeader,
} from './token.service.js';

export interface AuthenticatedRequest extends Request {
  user: AuthenticatedUser;
}

/** Lets an HTTP request through only with a valid token in its Authorization header. */
@Injectable()
export class JwtGuard implements CanActivate {
  constructor(private readonly tokens: TokenService) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    request.user = this.tokens.verify(tokenFromAuthorizationHeader(request.headers.authorization));
    return true;
  }
}
