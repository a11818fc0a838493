import { Controller, Get, UseFilters } from '@nestjs/common';
import { HealthCheck, type HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { HealthErrorFilter } from './health-error.filter.js';
import { HEALTH_PATH } from './health-paths.js';
import { ReadinessChecks } from './readiness.service.js';

/**
 * Probes for a load balancer or an orchestrator: no authentication, no rate limit, no log line,
 * and cheap (the readiness checks' answers are reused for a second).
 */
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
  live(): HealthCheckResult {
    const process = {
      status: 'up' as const,
      uptimeSeconds: Math.round(globalThis.process.uptime()),
    };
    return { status: 'ok', info: { process }, error: {}, details: { process } };
  }

  /** Ready for new clients: 200, or 503 with the failed checks under `error`. */
  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check(this.readiness.all());
  }
}
