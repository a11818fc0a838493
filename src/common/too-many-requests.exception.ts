import { HttpException, HttpStatus } from '@nestjs/common';

/** 429, with the seconds to wait; the error filter puts them in `Retry-After`. */
export class TooManyRequestsException extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super('too many attempts, try again later', HttpStatus.TOO_MANY_REQUESTS);
  }
}
