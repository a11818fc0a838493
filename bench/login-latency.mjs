// Does password hashing freeze chat? Socket round-trip p99 while idle, and while 200 logins
// (argon2id) run at once, measured in the same run on the same server; and the storm's logins/s
// against a plain sequential argon2.verify loop over the same stored hash (the server runs one
// hash at a time on 2 cores, so that loop is its ceiling), run right after with the server idle.
//
//   node bench/login-latency.mjs [--logins 200] [--runs 3] [--gap 5]
//
// The round trip is an event the server refuses at once (empty text, answered through its
// acknowledgement): it measures the event loop, not the database. A round trip starts every
// --gap ms (not back to back, which would keep a core busy by itself and measure the pinger).
import { parseArgs } from 'node:util';
import argon2 from 'argon2';
import Database from 'better-sqlite3';
import { io } from 'socket.io-client';
import { freshDatabase, median, percentile, register, startServer } from './lib.mjs';

const { values: args } = parseArgs({
  options: {
    logins: { type: 'string', default: '200' },
    runs: { type: 'string', default: '3' },
    gap: { type: 'string', default: '5' },
  },
});
const GAP_MS = Number(args.gap);
const LOGINS = Number(args.logins);
const RUNS = Number(args.runs);

async function pingWhile(socket, keepGoing, minimum) {
  const samples = [];
  while (keepGoing() || samples.length < minimum) {
    const started = performance.now();
    await socket.timeout(10000).emitWithAck('2', { data: '' });
    const took = performance.now() - started;
    samples.push(took);
    if (took < GAP_MS) await new Promise((resolve) => setTimeout(resolve, GAP_MS - took));
  }
  return samples;
}

async function run() {
  const db = await freshDatabase('sqlite');
  const server = await startServer({ DATABASE_URL: db.url });
  const token = await register(server.url, 'pinger');
  for (let i = 0; i < LOGINS; i++) await register(server.url, `user${i}`);
  const socket = io(server.url, { auth: { token }, transports: ['websocket'] });
  await new Promise(
    (resolve, reject) => (socket.once('connect', resolve), socket.once('connect_error', reject)),
  );
  await pingWhile(socket, () => false, 200); // warm-up

  const idle = await pingWhile(socket, () => false, 500);
  let pending = LOGINS;
  const started = performance.now();
  const logins = Array.from({ length: LOGINS }, (_, i) =>
    fetch(`${server.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: `user${i}`, password: 'bench-password' }),
    }).then((res) => {
      if (res.status !== 200) throw new Error(`login: ${res.status}`);
      pending--;
    }),
  );
  const loaded = await pingWhile(socket, () => pending > 0, 50);
  await Promise.all(logins);
  const loginSeconds = (performance.now() - started) / 1000;
  socket.close();
  await server.stop();
  const plainSeconds = await plainLoop(db.url, LOGINS);
  await db.drop();
  return {
    idleP50: median(idle),
    idleP99: percentile(idle, 99),
    loadP50: median(loaded),
    loadP99: percentile(loaded, 99),
    loginSeconds,
    loginsPerSecond: LOGINS / loginSeconds,
    plainLoopPerSecond: LOGINS / plainSeconds,
    loginsToPlain: plainSeconds / loginSeconds,
    samplesUnderLoad: loaded.length,
  };
}

/** Seconds for `count` sequential verifies of user0's stored hash, as the server checks it. */
async function plainLoop(dbUrl, count) {
  const db = new Database(dbUrl.slice('sqlite:'.length), { readonly: true });
  const { password: hash } = db
    .prepare('SELECT password FROM admin WHERE username = ?')
    .get('user0');
  db.close();
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    if (!(await argon2.verify(hash, 'bench-password'))) throw new Error('argon2 mismatch');
  }
  return (performance.now() - started) / 1000;
}

const results = [];
for (let r = 0; r < RUNS; r++) results.push(await run());
const pick = (key) => median(results.map((r) => r[key]));
const round = (x) => Number(x.toFixed(2));
console.log(
  JSON.stringify(
    {
      benchmark: 'socket round trip while logins hash passwords',
      concurrentLogins: LOGINS,
      pingEveryMs: GAP_MS,
      runs: RUNS,
      idleP50Ms: round(pick('idleP50')),
      idleP99Ms: round(pick('idleP99')),
      underLoginsP50Ms: round(pick('loadP50')),
      underLoginsP99Ms: round(pick('loadP99')),
      p99Ratio: round(pick('loadP99') / pick('idleP99')),
      loginsTookSeconds: round(pick('loginSeconds')),
      loginsPerSecond: round(pick('loginsPerSecond')),
      plainLoopPerSecond: round(pick('plainLoopPerSecond')),
      loginsToPlainLoop: round(pick('loginsToPlain')),
      allRuns: results.map((r) =>
        Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)])),
      ),
    },
    null,
    2,
  ),
);
