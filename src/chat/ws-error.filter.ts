import { type ArgumentsHost, Catch, HttpException, Logger } from '@nestjs/common';
import { BaseWsExceptionFilter, WsException } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { errorOfHttpException } from '../common/http-error.filter.js';
import { ChatMetrics } from '../metrics/chat-metrics.js';
import { refusalReason } from '../metrics/metric-labels.js';
import {
  type AckResponse,
  ChatEvent,
  codeOf,
  type ErrorBody,
  isErrorCode,
  SERVER_ERRORS,
} from '../protocol/index.js';
import { errorNotice } from './error-notice.js';
import { RetryableWsException } from './retryable-ws.exception.js';

const INTERNAL: ErrorBody = { code: 'internal_error', msg: SERVER_ERRORS.internal };

/**
 * A refused event answers its sender only: event 0 `{user: '', data: reason, code}`, and the
 * acknowledgement `{status: 0, code, msg}` when the client passed one (with `retry: true` when the
 * same message may succeed later). Unexpected errors are logged
 * and reported as "internal error"; nothing reaches other clients and nothing stops the server.
 */
@Catch()
export class WsErrorFilter extends BaseWsExceptionFilter {
  private readonly logger = new Logger('ChatGateway');

  constructor(private readonly metrics: ChatMetrics) {
    super();
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    const client = host.switchToWs().getClient<Socket>();
    const { code, msg } = this.errorOf(exception);
    // Rate-limited events are counted where they are refused (SocketLimits), handled or not.
    if (code !== 'rate_limited') this.metrics.refused(refusalReason(code));
    client.emit(ChatEvent.Error, errorNotice(msg, code));
    const ack = host
      .getArgs()
      .find((arg): arg is (r: AckResponse) => void => typeof arg === 'function');
    ack?.(
      exception instanceof RetryableWsException
        ? { status: 0, code, msg, retry: true }
        : { status: 0, code, msg },
    );
  }

  private errorOf(exception: unknown): ErrorBody {
    if (exception instanceof WsException) {
      const error = exception.getError();
      if (typeof error === 'string') return { code: codeOf(error), msg: error };
      // new WsException(coded(code, message))
      const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
      if (isErrorCode(code) && typeof message === 'string') return { code, msg: message };
      return INTERNAL;
    }
    // The app's global ValidationPipe also reaches gateways and throws HTTP 400s.
    if (exception instanceof HttpException && exception.getStatus() < 500)
      return errorOfHttpException(exception);
    this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    return INTERNAL;
  }
}
