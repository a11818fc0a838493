import { featureConfig } from '../config/feature-config.js';

/**
 * Presence, live-session checks and socket limits (PRESENCE_FLUSH_MS, SESSION_CHECK_MS, SOCKET_*,
 * MAX_SOCKETS_*, SLOW_CONSUMER_BYTES).
 */
export const chatConfig = featureConfig('chat', (env) => ({
  /** Presence changes are coalesced into one online-list broadcast per window. */
  presenceFlushMs: env.PRESENCE_FLUSH_MS ?? 100,
  /** How often live sockets are checked against revoked tokens, removed users, password changes. */
  sessionCheckMs: env.SESSION_CHECK_MS ?? 30000,
  limits: {
    /** Socket events per second per user, and the burst allowed above it. */
    socketEventsPerSecond: env.SOCKET_RATE_PER_SEC ?? 10,
    socketEventBurst: env.SOCKET_RATE_CAPACITY ?? 30,
    /** Refused events in a row after which a socket is disconnected. */
    socketAbuseLimit: env.SOCKET_ABUSE_LIMIT ?? 100,
    socketsPerUser: env.MAX_SOCKETS_PER_USER ?? 10,
    socketsPerIp: env.MAX_SOCKETS_PER_IP ?? 200,
    /** Bytes waiting to be sent to one socket before it is dropped as a slow consumer. */
    slowConsumerBytes: env.SLOW_CONSUMER_BYTES ?? 1024 * 1024,
  },
}));
