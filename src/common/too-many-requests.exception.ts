import { HttpException, HttpStatus } from '@nestjs/common';
import { ERROR_MESSAGES } from '../protocol/index.js';

/** 429, with the seconds to wait; the error filter puts them in `Retry-After`. */
export class TooManyRequestsException extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super(ERROR_MESSAGES.too_many_attempts, HttpStatus.TOO_MANY_REQUESTS);
  }
}
