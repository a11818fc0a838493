import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './app-config.js';
import { ConfigError, parseDuration } from './config/environment.js';

describe('loadConfig', () => {
  const dataDir = () => mkdtempSync(join(tmpdir(), 'chat-config-'));

  it('defaults to SQLite under data/, port 3000, 30h tokens, registration on', () => {
    const dir = dataDir();
    const config = loadConfig({ DATA_DIR: dir });
    expect(config.database).toEqual({ type: 'sqlite', file: join(dir, 'chat.sqlite') });
    expect(config.port).toBe(3000);
    expect(config.jwtExpiresInSeconds).toBe(30 * 3600);
    expect(config.registrationOpen).toBe(true);
    expect(config.docs.enabled).toBe(true);
    rmSync(dir, { recursive: true });
  });

  it('generates a JWT secret once and keeps it, readable by the owner only', () => {
    const dir = dataDir();
    const first = loadConfig({ DATA_DIR: dir }).jwtSecret;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig({ DATA_DIR: dir }).jwtSecret).toBe(first);
    expect(readFileSync(join(dir, 'jwt-secret'), 'utf8').trim()).toBe(first);
    expect(statSync(join(dir, 'jwt-secret')).mode & 0o077).toBe(0);
    rmSync(dir, { recursive: true });
  });

  it('reads a MySQL URL', () => {
    const config = loadConfig({
      DATABASE_URL: 'mysql://u:p@db:3306/chat',
      JWT_SECRET: 'x'.repeat(32),
    });
    expect(config.database).toEqual({
      type: 'mysql',
      url: 'mysql://u:p@db:3306/chat',
      poolSize: 10,
    });
  });

  it.each([
    [{ NODE_ENV: 'production' }, 'JWT_SECRET'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'postgres://x' }, 'DATABASE_URL'],
    [{ JWT_EXPIRES_IN: 'forever' }, 'JWT_EXPIRES_IN'],
    [{ REGISTRATION: 'maybe' }, 'REGISTRATION'],
    [{ DOCS: 'no' }, 'DOCS must be on or off'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
  ])('refuses %p naming %s', (env, variable) => {
    expect(() => loadConfig({ DATA_DIR: '/nonexistent', ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_DIR: '/nonexistent', ...env })).toThrow(variable);
  });

  it('reads durations', () => {
    expect(parseDuration('30h')).toBe(108000);
    expect(parseDuration('90')).toBe(90);
    expect(parseDuration('2d')).toBe(172800);
  });
});
