import { Global, Module } from '@nestjs/common';
import { ChatMetrics } from './chat-metrics.js';
import { MetricsServer } from './metrics.server.js';

/** The metrics, for every feature to count in (global), and the server Prometheus scrapes. */
@Global()
@Module({
  providers: [ChatMetrics, MetricsServer],
  exports: [ChatMetrics],
})
export class MetricsModule {}
