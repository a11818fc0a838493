/** A readiness check that takes longer than this counts as down (a probe must answer quickly). */
export const CHECK_TIMEOUT_MS = 1000;

/**
 * A check's answer is reused this long: probes from several balancers, or a burst of them, cost
 * one query, and concurrent probes share the one in flight.
 */
export const CHECK_CACHE_MS = 1000;
