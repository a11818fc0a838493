import { Controller, Get, UseFilters } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, type HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { ApiErrors } from '../common/api-responses.js';
import { HealthErrorFilter } from './health-error.filter.js';
import { HEALTH_PATH } from './health-paths.js';
import { ReadinessChecks } from './readiness.service.js';

/**
 * Probes for a load balancer or an orchestrator: no authentication, no rate limit, no log line,
 * and cheap (the readiness checks' answers are reused for a second).
 */
/** terminus' body: `status`, and each check's `{status: 'up' | 'down', ...}` by name. */
const HEALTH_BODY = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ok', 'error', 'shutting_down'] },
    info: { type: 'object', additionalProperties: true },
    error: { type: 'object', additionalProperties: true },
    details: { type: 'object', additionalProperties: true },
  },
};

@ApiTags('health')
@ApiErrors([403, ['origin_refused'], 'the Origin is neither ours nor in CORS_ORIGINS'])
@Controller(HEALTH_PATH)
@UseFilters(HealthErrorFilter)
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: ReadinessChecks,
  ) {}

  /**
   * The process answers: 200 as long as it serves HTTP, during a drain and with the database
   * away too (restarting would not bring the database back). Not through terminus, whose
   * answers turn 503 once the application closes.
   */
  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers (200 during a drain too)' })
  @ApiOkResponse({ schema: HEALTH_BODY })
  live(): HealthCheckResult {
    const process = {
      status: 'up' as const,
      uptimeSeconds: Math.round(globalThis.process.uptime()),
    };
    return { status: 'ok', info: { process }, error: {}, details: { process } };
  }

  /** Ready for new clients: 200, or 503 with the failed checks under `error`. */
  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: database, Redis (cluster mode), migrations, not draining',
  })
  @ApiOkResponse({ schema: HEALTH_BODY })
  @ApiResponse({
    status: 503,
    description: 'a check failed: named under `error`',
    schema: HEALTH_BODY,
  })
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check(this.readiness.all());
  }
}
