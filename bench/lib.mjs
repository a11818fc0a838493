// Shared by the benchmarks: a fresh server process on a fresh database.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';

/** Limits high enough that a benchmark measures speed, not the rate limiter. */
export const NO_RATE_LIMITS = {
  LOGIN_RATE_PER_IP: '1000000',
  LOGIN_FAILURES_PER_USER: '1000000',
  SOCKET_RATE_PER_SEC: '1000000',
  SOCKET_RATE_CAPACITY: '1000000',
  MAX_SOCKETS_PER_IP: '1000000',
  MAX_SOCKETS_PER_USER: '100000',
};

const MYSQL_BASE = process.env.DATABASE_URL?.startsWith('mysql')
  ? process.env.DATABASE_URL
  : 'mysql://root@127.0.0.1:3306/chat';

export const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

export async function freshDatabase(kind) {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'chat-bench-'));
    return {
      url: `sqlite:${join(dir, 'bench.sqlite')}`,
      drop: async () => rmSync(dir, { recursive: true }),
    };
  }
  const name = `chat_bench_${process.pid}_${Date.now()}`;
  const base = MYSQL_BASE.replace(/\/[^/]*$/, '/');
  const admin = await mysql.createConnection({ uri: base });
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
  await admin.end();
  return {
    url: base + name,
    drop: async () => {
      const c = await mysql.createConnection({ uri: base });
      await c.query(`DROP DATABASE ${name}`);
      await c.end();
    },
  };
}

export async function startServer(env) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-bench-data-'));
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      ...NO_RATE_LIMITS,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`${url}/settings`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function register(url, name, password = 'bench-password') {
  const res = await fetch(`${url}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: name, password }),
  });
  if (res.status !== 201) throw new Error(`register ${name}: ${res.status}`);
  return res.headers.get('authorization');
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const percentile = (xs, p) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
