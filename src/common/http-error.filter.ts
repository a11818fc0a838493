import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';
import {
  codeOf,
  type ErrorBody,
  type ErrorCode,
  ERROR_MESSAGES,
  isErrorCode,
} from '../protocol/index.js';
import { TooManyRequestsException } from './too-many-requests.exception.js';

/**
 * Every HTTP error has the body `{status: 0, code, msg}` (codes: protocol/errors.ts). Unexpected errors are logged with their
 * stack and answered with a generic 500; no stack trace reaches a client.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  /**
   * `isUnavailable`: the errors that mean "a service we depend on is away, try again" (503, not
   * 500). Which errors those are is the database layer's knowledge (database-errors.ts); the app
   * passes it in (app.ts) so that common/, below every feature, imports none of them.
   */
  constructor(private readonly isUnavailable: (exception: unknown) => boolean = () => false) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const { status, msg, code } = this.describe(exception);
    if (res.headersSent) return;
    if (exception instanceof TooManyRequestsException) {
      res.setHeader('Retry-After', String(exception.retryAfterSeconds));
    }
    res.status(status).json({ status: 0, code: code ?? codeOf(msg, status), msg });
  }

  private describe(exception: unknown): { status: number; msg: string; code?: ErrorCode } {
    if (exception instanceof HttpException) {
      return { status: exception.getStatus(), ...errorOfHttpException(exception) };
    }
    if (this.isUnavailable(exception)) {
      this.logger.warn(`database unavailable: ${(exception as Error).message}`);
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        msg: ERROR_MESSAGES.service_unavailable,
      };
    }
    this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, msg: ERROR_MESSAGES.internal_error };
  }
}

/** An HTTP exception's code (named with `{ errorCode }`, else found by codeOf) and message. */
export function errorOfHttpException(exception: HttpException): ErrorBody {
  const msg = messageOf(exception);
  const code = isErrorCode(exception.errorCode)
    ? exception.errorCode
    : codeOf(msg, exception.getStatus());
  return { code, msg };
}

function messageOf(exception: HttpException): string {
  const body = exception.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}
