import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { isDatabaseGone, isDatabaseUnavailable } from '../database/database-errors.js';
import { BATCH_SIZE_BUCKETS, LATENCY_BUCKETS } from './metric-buckets.js';
import type {
  DbErrorKind,
  DbOperation,
  LoginOutcome,
  MessageKind,
  RefusalReason,
} from './metric-labels.js';
import { metricsConfig } from './metrics.config.js';

/** A gauge's value, read when Prometheus scrapes (no bookkeeping on the hot path). */
type Reading = () => number;

/**
 * Every metric of the server, in one prom-client Registry of its own (not the global one: the
 * tests run several apps in one process). Labels are small fixed sets (metric-labels.ts), never a
 * user, a socket or a message: one series per label value, however many users. The process
 * defaults (CPU, memory, event-loop lag, GC) are collected only when the metrics are served.
 */
@Injectable()
export class ChatMetrics {
  readonly registry = new Registry();
  private openSocketsReading: Reading = () => 0;
  private usersOnlineReading: Reading = () => 0;

  readonly openSockets = this.gauge('chat_open_sockets', 'Sockets open on this instance', () =>
    this.openSocketsReading(),
  );
  readonly usersOnline = this.gauge(
    'chat_users_online',
    'Users online: across the cluster in cluster mode (REDIS_URL), this instance otherwise',
    () => this.usersOnlineReading(),
  );
  readonly connects = new Counter({
    name: 'chat_socket_connects_total',
    help: 'Socket handshakes by outcome: accepted, or the error code of the refusal',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly disconnects = new Counter({
    name: 'chat_socket_disconnects_total',
    help: "Sockets closed, by socket.io's disconnect reason",
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly messagesStored = new Counter({
    name: 'chat_messages_stored_total',
    help: 'Messages stored by this instance, by kind (retries found already stored are not counted)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly storeBatchSize = new Histogram({
    name: 'chat_store_batch_size',
    help: 'Messages per batch written by the message store (one multi-row INSERT)',
    buckets: BATCH_SIZE_BUCKETS,
    registers: [this.registry],
  });
  readonly ackSeconds = new Histogram({
    name: 'chat_message_ack_seconds',
    help: 'From receipt of a message (gateway handler) to its acknowledgement',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly deliverySeconds = new Histogram({
    name: 'chat_message_delivery_seconds',
    help: 'From receipt of a message to its hand-over to socket.io for delivery (once stored)',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly dbQuerySeconds = new Histogram({
    name: 'chat_db_query_duration_seconds',
    help: 'Database work on the hot paths: store batch writes, catch-up reads, history pages',
    labelNames: ['operation'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly dbErrors = new Counter({
    name: 'chat_db_errors_total',
    help: 'Failed database calls on the timed paths, by operation and kind (gone, unavailable, other)',
    labelNames: ['operation', 'kind'] as const,
    registers: [this.registry],
  });
  readonly refusedEvents = new Counter({
    name: 'chat_refused_events_total',
    help: 'Socket events refused, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly logins = new Counter({
    name: 'chat_logins_total',
    help: 'Login attempts by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly httpRequests = new Counter({
    name: 'chat_http_requests_total',
    help: 'HTTP requests by route pattern (static, unmatched) and status code',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  readonly redisErrors = new Counter({
    name: 'chat_redis_errors_total',
    help: 'Errors reported by the Redis connections, by connection',
    labelNames: ['connection'] as const,
    registers: [this.registry],
  });
  readonly adapterErrors = new Counter({
    name: 'chat_adapter_errors_total',
    help: "Errors reported by socket.io's Redis adapter",
    registers: [this.registry],
  });

  constructor(@Optional() @Inject(metricsConfig.KEY) config?: ConfigType<typeof metricsConfig>) {
    if (config?.port != null) collectDefaultMetrics({ register: this.registry });
  }

  /** Where the open-sockets and users-online gauges read their values (the chat module). */
  readFrom(readings: { openSockets: Reading; usersOnline: Reading }): void {
    this.openSocketsReading = readings.openSockets;
    this.usersOnlineReading = readings.usersOnline;
  }

  countStored(kind: MessageKind): void {
    this.messagesStored.inc({ kind });
  }

  refused(reason: RefusalReason): void {
    this.refusedEvents.inc({ reason });
  }

  login(outcome: LoginOutcome): void {
    this.logins.inc({ outcome });
  }

  /** Times `work` as database `operation`; a failure is counted by kind and thrown on. */
  async timeQuery<T>(operation: DbOperation, work: () => Promise<T>): Promise<T> {
    const end = this.dbQuerySeconds.startTimer({ operation });
    try {
      return await work();
    } catch (error) {
      this.dbErrors.inc({ operation, kind: dbErrorKind(error) });
      throw error;
    } finally {
      end();
    }
  }

  /** Text for Prometheus (and its content type). */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private gauge(name: string, help: string, read: Reading): Gauge {
    return new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }
}

function dbErrorKind(error: unknown): DbErrorKind {
  if (isDatabaseGone(error)) return 'gone';
  return isDatabaseUnavailable(error) ? 'unavailable' : 'other';
}
