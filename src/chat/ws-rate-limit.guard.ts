import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { RetryableWsException } from './retryable-ws.exception.js';
import type { Socket } from 'socket.io';
import { LIMIT_ERRORS } from '../protocol/index.js';
import type { ChatSocketData } from './chat-socket.js';
import { SocketLimits } from './socket-limits.service.js';

/**
 * The events the gateway handles count against their user's rate; over it, the event is refused
 * ("rate limited"). SocketLimits counts the others (its middleware, from the handshake on).
 */
@Injectable()
export class WsRateLimitGuard implements CanActivate {
  constructor(private readonly limits: SocketLimits) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const socket = context.switchToWs().getClient<Socket>();
    const { user } = socket.data as ChatSocketData;
    if (!(await this.limits.allowEvent(socket, user.username)))
      throw new RetryableWsException(LIMIT_ERRORS.rateLimited);
    return true;
  }
}
