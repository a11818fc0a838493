import { Inject, Injectable, Logger, type OnApplicationShutdown, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Redis } from 'ioredis';
import { ChatMetrics } from '../metrics/chat-metrics.js';
import { redisConfig } from './redis.config.js';

/** How long a command waits for Redis before it fails (the caller then falls back). */
const COMMAND_TIMEOUT_MS = 1000;
/** Reconnection backoff: 100 ms, 200 ms, ... at most this. */
const MAX_RETRY_DELAY_MS = 2000;

/**
 * The Redis connections of this instance, when REDIS_URL is set (`enabled`). Redis going away
 * must never stop the process: every connection has an `error` listener, reconnects by itself
 * for ever, and commands fail fast instead of queueing while it is away (`enableOfflineQueue`
 * off), so callers fall back to what they can do alone (see each caller).
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisService.name);
  private readonly connections: Redis[] = [];
  private readonly readyListeners: Array<() => void> = [];
  /** Commands (presence, limits, ...); null in single-process mode. */
  readonly client: Redis | null;
  private wasReady = false;
  private lastError = '';

  constructor(
    @Inject(redisConfig.KEY) readonly config: ConfigType<typeof redisConfig>,
    // Optional: the user CLI opens Redis without the metrics.
    @Optional() private readonly metrics?: ChatMetrics,
  ) {
    this.client = config.url ? this.connect('commands') : null;
  }

  get enabled(): boolean {
    return this.client !== null;
  }

  get instanceId(): string {
    return this.config.instanceId;
  }

  /** Whether the command connection is up now. */
  get ready(): boolean {
    return this.client?.status === 'ready';
  }

  /**
   * A new connection (the adapter's publisher and subscriber each need their own). The adapter's
   * keep an offline queue: its subscriber subscribes before the connection is up, and
   * re-subscribes on reconnect; with `maxRetriesPerRequest: 1` what waits there during an outage
   * fails after one reconnection attempt instead of piling up.
   */
  connect(name: string, { offlineQueue = false } = {}): Redis {
    if (!this.config.url) throw new Error('Redis is not configured (REDIS_URL)');
    const redis = new Redis(this.config.url, {
      connectionName: `chat:${name}`,
      enableOfflineQueue: offlineQueue,
      maxRetriesPerRequest: 1,
      // The adapter publishes without catching: a timeout there would only be an unhandled
      // rejection per broadcast on a slow Redis. Commands of ours must not wait longer, though.
      commandTimeout: offlineQueue ? undefined : COMMAND_TIMEOUT_MS,
      retryStrategy: (times) => Math.min(times * 100, MAX_RETRY_DELAY_MS),
    });
    redis.on('error', (error: Error) => this.reportError(name, error));
    redis.on('ready', () => this.reportReady(name));
    this.connections.push(redis);
    return redis;
  }

  /** Called every time the command connection comes (back) up, for recovery after an outage. */
  onReady(listener: () => void): void {
    this.readyListeners.push(listener);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      this.connections.map((redis) => redis.quit().catch(() => redis.disconnect())),
    );
  }

  private reportError(name: string, error: Error): void {
    // One line per change of error, not one per reconnection attempt.
    this.metrics?.redisErrors.inc({ connection: name });
    const text = `${name}: ${error.message}`;
    if (text !== this.lastError) this.logger.warn(`Redis ${text}`);
    this.lastError = text;
  }

  private reportReady(name: string): void {
    if (this.lastError) this.logger.log(`Redis ${name}: connected`);
    this.lastError = '';
    if (name !== 'commands') return;
    if (this.wasReady) for (const listener of this.readyListeners) listener();
    this.wasReady = true;
  }
}
