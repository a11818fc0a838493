import 'reflect-metadata';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
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
import { LOG_LEVELS } from '../logging/logging.constants.js';

/** A hop count (1-9), or proxy addresses, subnets and proxy-addr's names, comma-separated. */
const TRUST_PROXY =
  /^\s*([1-9]|(loopback|linklocal|uniquelocal|[0-9a-f.:]+(\/\d{1,3})?)(\s*,\s*(loopback|linklocal|uniquelocal|[0-9a-f.:]+(\/\d{1,3})?))*)\s*$/i;

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

/** The environment variables the server reads, validated once at start-up. */
export class EnvironmentVariables {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV?: string;

  @OptionalInt(0, 65535)
  PORT?: number;

  @IsOptional()
  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL?: string;

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
  @Matches(/^rediss?:\/\/.+$/, {
    message: 'REDIS_URL must be redis://host:6379 (or rediss:// for TLS)',
  })
  REDIS_URL?: string;

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

  /** The API documents at /docs and /docs/openapi.json: on by default, 'off' hides them. */
  @IsOptional()
  @IsIn(['on', 'off'], { message: 'DOCS must be on or off' })
  DOCS?: string;

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

  @OptionalInt(0, 600000)
  CATCH_UP_WINDOW_MS?: number;

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

  /** The Prometheus metrics' own port (src/metrics/); unset: no metrics server. */
  @OptionalInt(0, 65535)
  METRICS_PORT?: number;

  /** Where the metrics server listens: 127.0.0.1 unless set (never the public interface by default). */
  @IsOptional()
  @Matches(/^(localhost|[0-9a-f.:]+)$/i, {
    message: 'METRICS_HOST must be an IP address to listen on (127.0.0.1 by default) or localhost',
  })
  METRICS_HOST?: string;

  /** After SIGTERM, how long readiness fails before the drain starts (health.config.ts). */
  @OptionalInt(0, 60000)
  DRAIN_DELAY_MS?: number;

  /**
   * Behind a reverse proxy (deploy/nginx.conf): which proxies' X-Forwarded-For to believe, as
   * Express's `trust proxy` reads it. Never "true": that would believe whatever a client writes.
   */
  @IsOptional()
  @Matches(TRUST_PROXY, {
    message:
      'TRUST_PROXY must be a number of proxies in front (1 for one nginx) or a comma-separated list of proxy addresses or subnets (loopback, 10.0.0.0/8, ...)',
  })
  TRUST_PROXY?: string;
}

export class ConfigError extends Error {}

/** process.env, or an object of the same shape (a test's own environment). */
export type Env = Record<string, string | undefined>;

/**
 * The environment, validated: a wrong value throws a ConfigError that names the variable, so the
 * server (or the CLI) stops before anything starts. The features build their slices from the
 * result (auth.config.ts, database.config.ts, ...).
 */
export function validateEnvironment(env: Env = process.env): EnvironmentVariables {
  const raw = plainToInstance(EnvironmentVariables, pickDefined(env));
  const errors = validateSync(raw, { skipMissingProperties: false });
  if (errors.length > 0) {
    const lines = errors.map(
      (e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`,
    );
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  // Without JWT_SECRET a secret is generated and kept in DATA_DIR (auth.config.ts); production
  // must set the variable explicitly.
  if (raw.NODE_ENV === 'production' && raw.JWT_SECRET === undefined) {
    throw new ConfigError(
      'JWT_SECRET is required when NODE_ENV=production (at least 32 characters)',
    );
  }
  // Several instances share one database: an embedded SQLite file belongs to one process.
  if (raw.REDIS_URL !== undefined && !/^(mysql|mariadb):/.test(raw.DATABASE_URL ?? '')) {
    throw new ConfigError(
      'REDIS_URL (cluster mode) needs a shared database: set DATABASE_URL=mysql://... (SQLite is one process only)',
    );
  }
  const proxies = /^\s*[1-9]\s*$/.test(raw.TRUST_PROXY ?? '1') ? [] : raw.TRUST_PROXY!.split(',');
  const badProxy = proxies.find((item) => !isProxyAddress(item.trim()));
  if (badProxy !== undefined) {
    throw new ConfigError(`TRUST_PROXY: "${badProxy.trim()}" is not an IP address or subnet`);
  }
  return raw;
}

/** One item of a TRUST_PROXY list: one of proxy-addr's names, an address, a subnet. */
function isProxyAddress(item: string): boolean {
  if (/^(loopback|linklocal|uniquelocal)$/i.test(item)) return true;
  const [address, bits] = item.split('/');
  const version = isIP(address);
  return version !== 0 && (bits === undefined || Number(bits) <= (version === 4 ? 32 : 128));
}

/** DATA_DIR: the SQLite file (by default) and the generated JWT secret live there. */
export function dataDirectory(env: EnvironmentVariables): string {
  return resolve(env.DATA_DIR ?? 'data');
}

/** The names declared above; anything else in the environment is not ours. */
function pickDefined(env: Env): Record<string, string> {
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

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

export function parseDuration(value: string): number {
  const match = /^(\d+)(s|m|h|d)?$/.exec(value);
  if (!match) throw new ConfigError(`JWT_EXPIRES_IN: cannot read duration "${value}"`);
  return Number(match[1]) * UNIT_SECONDS[match[2] ?? 's'];
}
