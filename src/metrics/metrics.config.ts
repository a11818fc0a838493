import { featureConfig } from '../config/feature-config.js';

/** Where Prometheus scrapes this instance (METRICS_PORT, METRICS_HOST); off without a port. */
export const metricsConfig = featureConfig('metrics', (env) => ({
  /** null: no metrics server. 0: any free port (the tests read it from MetricsServer.port). */
  port: env.METRICS_PORT ?? null,
  /** Loopback by default: the metrics are for the scraper on this host (or a tunnel), not the public. */
  host: env.METRICS_HOST ?? '127.0.0.1',
}));
