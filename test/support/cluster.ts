import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import { connect, login, sleep } from './chat-client.js';
import { buildServer, freePort, startServerProcess, type ServerProcess } from './server-process.js';
import {
  createMysqlDatabase,
  MYSQL_URL,
  mysqlReachable,
  type TestDatabase,
} from './test-database.js';
import { createPeople, PASSWORDS, type Person } from './users.js';

/** What `connect()` of chat-client takes, the token included. */
type ConnectOptions = NonNullable<Parameters<typeof connect>[1]>;

/** Something the cluster closes with itself (a socket, a CatchUpReader). */
interface Closeable {
  close(): unknown;
}

/**
 * A Redis server of the test's own, on a free port (so a test may stop and restart it without
 * touching anyone else's). Nothing is kept on disk: a restart starts empty, like a failover.
 */
export interface TestRedis {
  url: string;
  port: number;
  /** Stops it (SIGKILL: an outage, not a clean shutdown). */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
}

export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    await waitForPort(port, 10_000);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    async stop() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    },
  };
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connectTcp(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Several server processes on one MariaDB database and one Redis: what a deployment runs. */
export interface TestCluster {
  instances: ServerProcess[];
  redis: TestRedis;
  database: TestDatabase;
  /** The environment every instance got (to start one more alike). */
  env: Record<string, string>;
  /** The base URL of instance `i`. */
  url(i: number): string;
  /** Registers a user (through instance 0). */
  createUser(username: string, password: string): Promise<void>;
  /** A fresh token of `name` (of PASSWORDS), logged in on instance `i`. */
  token(name: Person, i?: number): Promise<string>;
  /** A socket on instance `i` with the caller's options (token included), closed by close(). */
  connect(
    i: number,
    options?: ConnectOptions,
    beforeConnect?: (socket: Socket) => void,
  ): Promise<Socket>;
  /** A socket of `name` on instance `i`, which it logs in on first; closed by close(). */
  connectAs(
    name: Person,
    i: number,
    options?: Omit<ConnectOptions, 'token'>,
    beforeConnect?: (socket: Socket) => void,
  ): Promise<Socket>;
  /** Has close() close this too (before the instances stop); returns it. */
  track<T extends Closeable>(closeable: T): T;
  /** One more instance on the same database, Redis and secret. */
  addInstance(extraEnv?: Record<string, string>): Promise<ServerProcess>;
  /** Closes what it tracks, then stops the instances and Redis and drops the database. */
  close(): Promise<void>;
}

export interface ClusterOptions {
  /** Added to (or overriding) the environment every instance gets. */
  env?: Record<string, string>;
  /** People of PASSWORDS to register once the instances run, in this order. */
  users?: readonly Person[];
}

let built = false;

/**
 * Null outside CI when no MariaDB answers (with a warning); in CI MariaDB and redis-server are
 * required, so there the cluster tests always run.
 */
export async function startCluster(
  count: number,
  { env: extraEnv = {}, users = [] }: ClusterOptions = {},
): Promise<TestCluster | null> {
  if (!(await mysqlReachable())) {
    if (process.env.CI) throw new Error(`cluster tests need MariaDB at ${MYSQL_URL} (CI)`);
    console.warn(`skipping cluster tests: no MariaDB at ${MYSQL_URL}`);
    return null;
  }
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    if (process.env.CI) throw new Error('cluster tests need redis-server on the PATH (CI)');
    console.warn('skipping cluster tests: no redis-server on the PATH');
    return null;
  }
  if (!built) buildServer();
  built = true;
  const database = await createMysqlDatabase();
  const redis = await startRedis();
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-cluster-'));
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    // Every instance must verify the others' tokens.
    JWT_SECRET: randomBytes(32).toString('hex'),
    DATA_DIR: dataDir,
    ...extraEnv,
  };
  const instances: ServerProcess[] = [];
  // One at a time: the first runs the migrations.
  for (let i = 0; i < count; i++) instances.push(await startServerProcess(env));
  const tracked: Closeable[] = [];
  const url = (i: number) => instances[i].url;
  const cluster: TestCluster = {
    instances,
    redis,
    database,
    env,
    url,
    async createUser(username, password) {
      await request(url(0)).post('/register').send({ username, password }).expect(201);
    },
    token: (name, i = 0) => login(url(i), name, PASSWORDS[name]),
    async connect(i, options = {}, beforeConnect) {
      return cluster.track(await connect(url(i), options, beforeConnect));
    },
    async connectAs(name, i, options = {}, beforeConnect) {
      return cluster.connect(i, { ...options, token: await cluster.token(name, i) }, beforeConnect);
    },
    track(closeable) {
      tracked.push(closeable);
      return closeable;
    },
    async addInstance(more = {}) {
      const instance = await startServerProcess({ ...env, ...more });
      instances.push(instance);
      return instance;
    },
    async close() {
      for (const closeable of tracked) closeable.close();
      await Promise.all(instances.map((instance) => stopProcess(instance)));
      await redis.stop();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await createPeople(cluster, users);
  } catch (error) {
    // The caller gets no cluster to close: leave no processes behind.
    await cluster.close();
    throw error;
  }
  return cluster;
}

/** SIGTERM, then SIGKILL if it has not gone within 15 s. */
export async function stopProcess(instance: ServerProcess): Promise<void> {
  if (instance.child.exitCode !== null || instance.child.signalCode !== null) return;
  instance.child.kill('SIGTERM');
  const timer = setTimeout(() => instance.child.kill('SIGKILL'), 15_000);
  await instance.exited;
  clearTimeout(timer);
}
