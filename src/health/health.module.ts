import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { ReadinessChecks } from './readiness.service.js';
import { ShutdownState } from './shutdown-state.js';

/** /health/live and /health/ready; ShutdownState for main.ts to say "stopping". */
@Global()
@Module({
  // No log line per failed probe: the body says what failed, and the causes are logged where
  // they happen (the database, Redis).
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [ReadinessChecks, ShutdownState],
  exports: [ShutdownState],
})
export class HealthModule {}
