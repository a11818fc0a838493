import { featureConfig } from '../config/feature-config.js';

const ORIGIN = /^https?:\/\/[^/\s,]+$/;

/** Where the server listens, and the other origins it answers (HOST, PORT, CORS_ORIGINS). */
export const httpConfig = featureConfig('http', (env) => ({
  host: env.HOST ?? '0.0.0.0',
  port: env.PORT ?? 3000,
  /** Origins allowed besides the server's own (HTTP and the socket handshake). */
  corsOrigins: (env.CORS_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => ORIGIN.test(origin)),
  /**
   * TRUST_PROXY for Express's `trust proxy` (a hop count or proxy addresses), undefined when
   * unset: then the address is the TCP peer's and X-Forwarded-For is ignored.
   */
  trustProxy: trustProxy(env.TRUST_PROXY),
}));

function trustProxy(value: string | undefined): number | string[] | undefined {
  if (value === undefined) return undefined;
  if (/^\s*\d\s*$/.test(value)) return Number(value);
  return value.split(',').map((item) => item.trim());
}
