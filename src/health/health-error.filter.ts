import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { Response } from 'express';

/**
 * A failed readiness check answers terminus' own body, `{status: 'error', info, error,
 * details}`, so a probe (and whoever reads it) sees which check failed. Scoped to the health
 * controller: it comes before the global HttpErrorFilter, which would reduce it to
 * `{status: 0, code, msg}`. Nothing is logged: a probe that fails every few seconds is no news.
 */
@Catch(ServiceUnavailableException)
export class HealthErrorFilter implements ExceptionFilter {
  catch(exception: ServiceUnavailableException, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<Response>().status(503).json(exception.getResponse());
  }
}
