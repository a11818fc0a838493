import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AuthService } from './auth.service.js';
import { type AuthenticatedUser, tokenFromAuthorizationHeader } from './token.js';

export interface AuthenticatedRequest extends Request {
  user: AuthenticatedUser;
}

/** Lets an HTTP request through only with a valid token in its Authorization header. */
@Injectable()
export class JwtGuard implements CanActivate {
  constructor(private readonly auth: AuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = tokenFromAuthorizationHeader(request.headers.authorization);
    request.user = await this.auth.authenticate(token);
    return true;
  }
}
