/** The probes' routes: GET /health/live and /health/ready. */
export const HEALTH_PATH = 'health';

/** Whether a request path is one of the probes (logged at debug only: one every few seconds per balancer). */
export function isHealthProbe(url: string | undefined): boolean {
  return url !== undefined && url.startsWith(`/${HEALTH_PATH}/`);
}
