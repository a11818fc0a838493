import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

/** The environment variables the server reads, validated once at start-up. */
export class EnvironmentVariables {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
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

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(500)
  DB_POOL_SIZE?: number;

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
  @IsIn(['on', 'off'])
  REGISTRATION?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10000)
  PRESENCE_FLUSH_MS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1000)
  MESSAGE_BATCH_MS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(5000)
  MESSAGE_BATCH_MAX?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(3600000)
  SESSION_CHECK_MS?: number;
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

const VARIABLES = [
  'NODE_ENV',
  'PORT',
  'HOST',
  'DATA_DIR',
  'DATABASE_URL',
  'DB_POOL_SIZE',
  'JWT_SECRET',
  'JWT_EXPIRES_IN',
  'REGISTRATION',
  'PRESENCE_FLUSH_MS',
  'MESSAGE_BATCH_MS',
  'MESSAGE_BATCH_MAX',
  'SESSION_CHECK_MS',
] as const;

function pickDefined(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of VARIABLES) {
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
