import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiSecurity } from '@nestjs/swagger';
import type { ErrorCode } from '../protocol/index.js';
import { ApiErrorBody } from './api-error.dto.js';

/** The security scheme names of the OpenAPI document (docs/openapi.ts declares them). */
export const TOKEN_SCHEME = 'token';
export const BEARER_SCHEME = 'bearer';

/** One error response of a route: its status and the codes it carries then. */
export type ApiErrorSpec = readonly [status: number, codes: readonly ErrorCode[], when?: string];

/**
 * Error responses, each with the body `{status: 0, code, msg}` (ApiErrorBody) and the codes the
 * route gives with that status named in the description (the schema's enum has them all).
 */
export function ApiErrors(...specs: ApiErrorSpec[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...specs.map(([status, codes, when]) =>
      ApiResponse({
        status,
        type: ApiErrorBody,
        description: `${codes.map((code) => `\`${code}\``).join(', ')}${when ? `: ${when}` : ''}`,
      }),
    ),
  );
}

/** The errors any route can give (the origin check, the body parser, the database). */
export const ApiCommonErrors = () =>
  ApiErrors(
    [403, ['origin_refused'], 'the Origin is neither ours nor in CORS_ORIGINS'],
    [500, ['internal_error'], 'an unexpected error, logged on the server'],
    [503, ['service_unavailable'], 'the database cannot be reached for now: try again shortly'],
  );

/** A route that needs a token: the security requirement and its 401. */
export const ApiToken = () =>
  applyDecorators(
    ApiSecurity(TOKEN_SCHEME),
    ApiBearerAuth(BEARER_SCHEME),
    ApiErrors([
      401,
      ['unauthorized', 'token_expired'],
      'no token, or a malformed, tampered, logged-out, revoked or expired one',
    ]),
  );
