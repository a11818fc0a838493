import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDirectory, parseDuration } from '../config/environment.js';
import { featureConfig } from '../config/feature-config.js';

/** Tokens, registration and login limits (JWT_*, REGISTRATION, LOGIN_*). */
export const authConfig = featureConfig('auth', (env) => ({
  jwtSecret: env.JWT_SECRET ?? localJwtSecret(dataDirectory(env)),
  jwtExpiresInSeconds: parseDuration(env.JWT_EXPIRES_IN ?? '30h'),
  jwtIssuer: env.JWT_ISSUER ?? 'nest-chat',
  jwtAudience: env.JWT_AUDIENCE ?? 'nest-chat',
  registrationOpen: env.REGISTRATION !== 'off',
  limits: {
    /** Login and register attempts per minute from one address. */
    loginPerIpPerMinute: env.LOGIN_RATE_PER_IP ?? 30,
    /** Failed logins per 15 minutes for one name from one address (and 10x that from all). */
    loginFailuresPerUser: env.LOGIN_FAILURES_PER_USER ?? 10,
  },
}));

/**
 * Without JWT_SECRET a random secret is generated once and kept in the data directory, so
 * tokens survive a restart (production must set the variable: validateEnvironment).
 */
function localJwtSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  try {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= 32) return kept;
  } catch {
    // not created yet
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}
