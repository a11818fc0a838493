import { type ArgumentsHost, Catch, HttpException, Logger } from '@nestjs/common';
import { BaseWsExceptionFilter, WsException } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { type AckResponse, ChatEvent, SERVER_ERRORS } from './chat.events.js';
import { RetryableWsException } from './retryable-ws.exception.js';

/**
 * A refused event answers its sender only: event 0 `{user: '', data: reason}`, and the
 * acknowledgement `{status: 0, msg}` when the client passed one (with `retry: true` when the
 * same message may succeed later). Unexpected errors are logged
 * and reported as "internal error"; nothing reaches other clients and nothing stops the server.
 */
@Catch()
export class WsErrorFilter extends BaseWsExceptionFilter {
  private readonly logger = new Logger('ChatGateway');

  override catch(exception: unknown, host: ArgumentsHost): void {
    const client = host.switchToWs().getClient<Socket>();
    const reason = this.reasonOf(exception);
    client.emit(ChatEvent.Error, { user: '', data: reason });
    const ack = host
      .getArgs()
      .find((arg): arg is (r: AckResponse) => void => typeof arg === 'function');
    ack?.(
      exception instanceof RetryableWsException
        ? { status: 0, msg: reason, retry: true }
        : { status: 0, msg: reason },
    );
  }

  private reasonOf(exception: unknown): string {
    if (exception instanceof WsException) {
      const error = exception.getError();
      return typeof error === 'string' ? error : SERVER_ERRORS.internal;
    }
    // The app's global ValidationPipe also reaches gateways and throws HTTP 400s.
    if (exception instanceof HttpException && exception.getStatus() < 500) return exception.message;
    this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    return SERVER_ERRORS.internal;
  }
}
