import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { RetryableWsException } from './retryable-ws.exception.js';
import type { Socket } from 'socket.io';
import type { ChatSocketData } from './chat.events.js';
import { LIMIT_ERRORS, SocketLimits } from './socket-limits.service.js';

/** Every event counts against its user's rate; over it, the event is refused ("rate limited"). */
@Injectable()
export class WsRateLimitGuard implements CanActivate {
  constructor(private readonly limits: SocketLimits) {}

  canActivate(context: ExecutionContext): boolean {
    const socket = context.switchToWs().getClient<Socket>();
    const { user } = socket.data as ChatSocketData;
    if (!this.limits.allowEvent(socket, user.username))
      throw new RetryableWsException(LIMIT_ERRORS.rateLimited);
    return true;
  }
}
