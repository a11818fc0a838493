import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { plainToInstance, Transform } from 'class-transformer';
import {
  getMetadataStorage,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

/** An optional whole-number variable within [min, max]. */
function OptionalInt(min: number, max: number): PropertyDecorator {
  return (target, key) => {
    for (const decorate of [IsOptional(), Transform(toInt), IsInt(), Min(min), Max(max)]) {
      decorate(target, key);
    }
  };
}

const ORIGIN = /^https?:\/\/[^/\s,]+$/;

/** The environment variables the server reads, validated once at start-up. */
export class EnvironmentVariables {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV?: string;

  @OptionalInt(0, 65535)
  PORT?: number;

  @IsOptional()
  @IsString()
  HOST?: string;

  @IsOptional()
  @IsString()
  DATA_DIR?: string;

  @IsOptional()
  @Matches(/^(sqlite:.+|mysql:\/\/.+|mariadb:\/\/.+)$/, {
    message: 'DATABASE_URL must be sqlite:FILE or mysql://user:pass@host:port/db',
  })
  DATABASE_URL?: string;

  @OptionalInt(1, 500)
  DB_POOL_SIZE?: number;

  @OptionalInt(100, 60000)
  DB_TIMEOUT_MS?: number;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  @MaxLength(512)
  JWT_SECRET?: string;

  @IsOptional()
  @Matches(/^\d+(s|m|h|d)?$/, {
    message: 'JWT_EXPIRES_IN must be a number of seconds or a number followed by s, m, h or d',
  })
  JWT_EXPIRES_IN?: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  JWT_ISSUER?: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  JWT_AUDIENCE?: string;

  @IsOptional()
  @IsIn(['on', 'off'])
  REGISTRATION?: string;

  @IsOptional()
  @Matches(/^\s*(https?:\/\/[^/\s,]+\s*(,\s*https?:\/\/[^/\s,]+\s*)*)?$/, {
    message: 'CORS_ORIGINS must be a comma-separated list of origins like https://chat.example.com',
  })
  CORS_ORIGINS?: string;

  @OptionalInt(0, 10000)
  PRESENCE_FLUSH_MS?: number;

  @OptionalInt(0, 1000)
  MESSAGE_BATCH_MS?: number;

  @OptionalInt(1, 5000)
  MESSAGE_BATCH_MAX?: number;

  @OptionalInt(100, 3600000)
  SESSION_CHECK_MS?: number;

  @OptionalInt(1, 1000000)
  LOGIN_RATE_PER_IP?: number;

  @OptionalInt(1, 1000000)
  LOGIN_FAILURES_PER_USER?: number;

  @OptionalInt(1, 1000000)
  SOCKET_RATE_PER_SEC?: number;

  @OptionalInt(1, 1000000)
  SOCKET_RATE_CAPACITY?: number;

  @OptionalInt(1, 1000000)
  SOCKET_ABUSE_LIMIT?: number;

  @OptionalInt(1, 100000)
  MAX_SOCKETS_PER_USER?: number;

  @OptionalInt(1, 1000000)
  MAX_SOCKETS_PER_IP?: number;

  @OptionalInt(1024, 1073741824)
  SLOW_CONSUMER_BYTES?: number;
}

export type DatabaseConfig =
  { type: 'sqlite'; file: string } | { type: 'mysql'; url: string; poolSize: number };

/** Typed, validated configuration. Built once from the environment and injected everywhere. */
export class AppConfig {
  readonly production: boolean;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly database: DatabaseConfig;
  readonly jwtSecret: string;
  readonly jwtExpiresInSeconds: number;
  readonly registrationOpen: boolean;
  /** Presence changes are coalesced into one online-list broadcast per window. */
  readonly presenceFlushMs: number;
  /** Extra wait before writing a batch of messages (0: write what has arrived at once). */
  readonly messageBatchMs: number;
  /** Most messages written by one INSERT (1: no batching). */
  readonly messageBatchMax: number;
  /** How often live sockets are checked against revoked tokens, removed users, password changes. */
  readonly sessionCheckMs: number;
  /** Longest wait for one database query or connection before answering "unavailable". */
  readonly dbTimeoutMs: number;
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  /** Origins allowed besides the server's own (HTTP and the socket handshake). */
  readonly corsOrigins: string[];
  readonly limits: {
    /** Login and register attempts per minute from one address. */
    loginPerIpPerMinute: number;
    /** Failed logins per 15 minutes for one name from one address (and 10x that from all). */
    loginFailuresPerUser: number;
    /** Socket events per second per user, and the burst allowed above it. */
    socketEventsPerSecond: number;
    socketEventBurst: number;
    /** Refused events in a row after which a socket is disconnected. */
    socketAbuseLimit: number;
    socketsPerUser: number;
    socketsPerIp: number;
    /** Bytes waiting to be sent to one socket before it is dropped as a slow consumer. */
    slowConsumerBytes: number;
  };

  constructor(env: EnvironmentVariables) {
    this.production = env.NODE_ENV === 'production';
    this.host = env.HOST ?? '0.0.0.0';
    this.port = env.PORT ?? 3000;
    this.dataDir = resolve(env.DATA_DIR ?? 'data');
    this.database = parseDatabaseUrl(env.DATABASE_URL, this.dataDir, env.DB_POOL_SIZE ?? 10);
    this.jwtSecret = env.JWT_SECRET ?? this.localJwtSecret();
    this.jwtExpiresInSeconds = parseDuration(env.JWT_EXPIRES_IN ?? '30h');
    this.registrationOpen = env.REGISTRATION !== 'off';
    this.presenceFlushMs = env.PRESENCE_FLUSH_MS ?? 100;
    this.messageBatchMs = env.MESSAGE_BATCH_MS ?? 0;
    this.messageBatchMax = env.MESSAGE_BATCH_MAX ?? 500;
    this.sessionCheckMs = env.SESSION_CHECK_MS ?? 30000;
    this.dbTimeoutMs = env.DB_TIMEOUT_MS ?? 1500;
    this.jwtIssuer = env.JWT_ISSUER ?? 'nest-chat';
    this.jwtAudience = env.JWT_AUDIENCE ?? 'nest-chat';
    this.corsOrigins = (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => ORIGIN.test(origin));
    this.limits = {
      loginPerIpPerMinute: env.LOGIN_RATE_PER_IP ?? 30,
      loginFailuresPerUser: env.LOGIN_FAILURES_PER_USER ?? 10,
      socketEventsPerSecond: env.SOCKET_RATE_PER_SEC ?? 10,
      socketEventBurst: env.SOCKET_RATE_CAPACITY ?? 30,
      socketAbuseLimit: env.SOCKET_ABUSE_LIMIT ?? 100,
      socketsPerUser: env.MAX_SOCKETS_PER_USER ?? 10,
      socketsPerIp: env.MAX_SOCKETS_PER_IP ?? 200,
      slowConsumerBytes: env.SLOW_CONSUMER_BYTES ?? 1024 * 1024,
    };
  }

  /**
   * Without JWT_SECRET a random secret is generated once and kept in the data directory, so
   * tokens survive a restart. Production must set the variable explicitly.
   */
  private localJwtSecret(): string {
    if (this.production) {
      throw new ConfigError(
        'JWT_SECRET is required when NODE_ENV=production (at least 32 characters)',
      );
    }
    const file = join(this.dataDir, 'jwt-secret');
    try {
      const kept = readFileSync(file, 'utf8').trim();
      if (kept.length >= 32) return kept;
    } catch {
      // not created yet
    }
    mkdirSync(this.dataDir, { recursive: true });
    const secret = randomBytes(48).toString('base64url');
    writeFileSync(file, secret + '\n', { mode: 0o600 });
    return secret;
  }
}

export class ConfigError extends Error {}

/** Validates the environment; a wrong value throws a ConfigError that names the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const raw = plainToInstance(EnvironmentVariables, pickDefined(env));
  const errors = validateSync(raw, { skipMissingProperties: false });
  if (errors.length > 0) {
    const lines = errors.map(
      (e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`,
    );
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return new AppConfig(raw);
}

/** The names declared above; anything else in the environment is not ours. */
function pickDefined(env: Record<string, string | undefined>): Record<string, string> {
  const declared = new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(EnvironmentVariables, '', true, false)
      .map((m) => m.propertyName),
  );
  const out: Record<string, string> = {};
  for (const key of declared) {
    const value = env[key];
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

export function parseDatabaseUrl(
  url: string | undefined,
  dataDir: string,
  poolSize: number,
): DatabaseConfig {
  if (!url) return { type: 'sqlite', file: join(dataDir, 'chat.sqlite') };
  if (url.startsWith('sqlite:'))
    return { type: 'sqlite', file: resolve(url.slice('sqlite:'.length)) };
  return { type: 'mysql', url: url.replace(/^mariadb:/, 'mysql:'), poolSize };
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

export function parseDuration(value: string): number {
  const match = /^(\d+)(s|m|h|d)?$/.exec(value);
  if (!match) throw new ConfigError(`JWT_EXPIRES_IN: cannot read duration "${value}"`);
  return Number(match[1]) * UNIT_SECONDS[match[2] ?? 's'];
}
