// Shared by the benchmarks: a fresh server process on a fresh database.
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

/** Our server (dist/src/main.js) in a process of its own; `nodeArgs`: e.g. ['--cpu-prof']. */
export async function startServer(env, nodeArgs = [], { root = '.', stderr = 'inherit' } = {}) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-bench-data-'));
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'dist/src/main.js')], {
    cwd: root,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      ...NO_RATE_LIMITS,
      ...env,
    },
    stdio: ['ignore', 'ignore', stderr],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    if (i === 300) throw new Error('the server did not answer within 30 s');
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

// ---- used by bench/chat-bench.mjs ----

/** A JWT secret known to the benchmark, so that it can sign tokens for seeded users itself. */
export const BENCH_JWT_SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
export const BENCH_PASSWORD = 'bench-password';

/**
 * The argon2 options our server hashes passwords with (PASSWORD_HASH_OPTIONS of the built
 * dist/src/users/password-hashing.js), or argon2id with the library's defaults while that module
 * does not exist. The one source for the benchmark's hash: the seeded users get it, and the plain
 * argon2 loop verifies it, so both cost what a login on the server costs (a verify takes its
 * parameters from the hash).
 */
export async function passwordHashOptions() {
  const module = new URL('../dist/src/users/password-hashing.js', import.meta.url);
  try {
    const { PASSWORD_HASH_OPTIONS } = await import(module);
    if (PASSWORD_HASH_OPTIONS) return PASSWORD_HASH_OPTIONS;
  } catch (error) {
    // Absent: fall back. Present but broken: say so rather than measure with the wrong options.
    if (
      error?.code !== 'ERR_MODULE_NOT_FOUND' ||
      !String(error.message).includes(`'${module.pathname}'`)
    )
      throw error;
  }
  const { default: argon2 } = await import('argon2');
  return { type: argon2.argon2id };
}

/** This process's soft limit on open files (children inherit it), from /proc (Linux). */
export function openFileLimit() {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const soft = /^Max open files\s+(\S+)/m.exec(limits)?.[1];
  return soft === 'unlimited' ? Infinity : Number(soft);
}

/** Signs a token exactly as src/auth/token.service.ts does (HS256, iss/aud nest-chat). */
export async function signToken(id, name, secret = BENCH_JWT_SECRET, ver = 0) {
  const { default: jwt } = await import('jsonwebtoken');
  const { randomUUID } = await import('node:crypto');
  return jwt.sign({ sub: String(id), data: name, username: name, jti: randomUUID(), ver }, secret, {
    algorithm: 'HS256',
    issuer: 'nest-chat',
    audience: 'nest-chat',
    expiresIn: '2d',
  });
}

/**
 * Inserts users straight into the `admin` table of a running server's database (its migrations
 * have created it), all with the same argon2id hash. Returns [{id, name}] in order.
 */
export async function seedUsers(dbUrl, names, hash) {
  if (dbUrl.startsWith('sqlite:')) {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(dbUrl.slice('sqlite:'.length));
    db.pragma('busy_timeout = 10000');
    const insert = db.prepare(
      'INSERT INTO admin (username, password, token_version) VALUES (?, ?, 0)',
    );
    db.transaction(() => names.forEach((n) => insert.run(n, hash)))();
    const rows = db.prepare('SELECT id, username FROM admin').all();
    db.close();
    const ids = new Map(rows.map((r) => [r.username, r.id]));
    return names.map((name) => ({ id: ids.get(name), name }));
  }
  const c = await mysql.createConnection({ uri: dbUrl });
  for (let i = 0; i < names.length; i += 1000) {
    const chunk = names.slice(i, i + 1000);
    await c.query('INSERT INTO admin (username, password, token_version) VALUES ?', [
      chunk.map((n) => [n, hash, 0]),
    ]);
  }
  const [rows] = await c.query('SELECT id, username FROM admin');
  await c.end();
  const ids = new Map(rows.map((r) => [r.username, r.id]));
  return names.map((name) => ({ id: ids.get(name), name }));
}

/** CPU time a process has used so far (user + system), in milliseconds (Linux). */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
}

/** Resident set size of a process, in bytes (Linux). */
export function rssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
}

/**
 * The bare socket.io reference (bench/reference-server.mjs) in a process of its own; with
 * `databaseUrl` (a fresh database of freshDatabase), the storing reference (STORE=1).
 */
export async function startReference(nodeArgs = [], databaseUrl = null) {
  const port = await freePort();
  const child = fork(new URL('./reference-server.mjs', import.meta.url), [], {
    execArgv: nodeArgs,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      HOST: '127.0.0.1',
      PORT: String(port),
      JWT_SECRET: BENCH_JWT_SECRET,
      ...(databaseUrl ? { STORE: '1', DATABASE_URL: databaseUrl } : { STORE: '' }),
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`reference server exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/**
 * A redis-server of the benchmark's own on a free port (cluster mode), nothing kept on disk.
 * Needs `redis-server` on the PATH.
 */
export async function startRedis() {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const { connect } = await import('node:net');
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    if (i === 100) throw new Error('redis-server did not answer within 10 s');
    const open = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
