import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import type { ChatSocketData } from './chat-socket.js';
import { expiresAtMs, TOKEN_EXPIRED, UNAUTHORIZED } from '../auth/token.js';

/**
 * Second line behind the handshake check: a handler runs only for a socket that carries a
 * verified user whose token has not expired since it connected.
 */
@Injectable()
export class WsAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const user = (context.switchToWs().getClient<Socket>().data as Partial<ChatSocketData>).user;
    if (!user) throw new WsException(UNAUTHORIZED);
    if (expiresAtMs(user) <= Date.now()) throw new WsException(TOKEN_EXPIRED);
    return true;
  }
}
