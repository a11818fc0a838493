/** Cluster presence: how often each instance says it is alive (a heartbeat in Redis). */
export const HEARTBEAT_MS = 10_000;
/**
 * An instance silent this long is dead: any live instance removes its sockets (2.5 missed
 * heartbeats, room for a busy event loop). Checked every REAP_CHECK_MS by every instance, so a
 * crashed instance's users leave the lists within DEAD_AFTER_MS + REAP_CHECK_MS (under 30 s).
 */
export const DEAD_AFTER_MS = 25_000;
export const REAP_CHECK_MS = 2_500;
