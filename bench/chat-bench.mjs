// Our chat server against a bare socket.io reference and a storing one, under the same load, in
// the same run.
//
//   npm run bench -- [--clients 2000] [--runs 3] [--procs 4] [--db sqlite|mysql]
//                    [--private-rate 1000] [--group-rate 40] [--seconds 10]
//                    [--no-capacity] [--capacity-seconds 3] [--capacity-p99 50]
//                    [--capacity-group-p99 50] [--max-idle 19000] [--hold 10]
//                    [--no-reference-idle] [--idle-whole-lists] [--profile DIR] [--quick]
//   npm run bench -- --instances 2 [--clients ...] [--runs ...] [--quick]
//   (or: node bench/chat-bench.mjs ...; the server must be built: npm run build; and the
//   open-file limit must exceed --max-idle: npm run bench raises it to the hard limit)
//
// --quick: 200 clients, 1 run, 3 s phases, 2 s capacity steps, 1,000 idle connections. The rates
// per client are those of the full run: private messages scale with the clients (0.5/s per
// client: 100/s for 200, 1,000/s for 2,000); group messages stay 40/s, since each one reaches
// every client: 40 arrivals per client per second, and 40 deliveries per connection per second
// for the server, in both. (Before, the quick run sent 1,000 private/s from 200 clients, 10 times
// the full run's rate per client, and showed a saturation that the full run did not have.)
//
// --instances N (N >= 2): cluster mode instead (see "cluster mode" below): the same load against
// one instance, one instance with the Redis adapter, and N instances behind the adapter.
//
// Design (read this before changing the numbers):
// - Three servers per run, each a process of its own: ours (dist/src/main.js via lib.startServer,
//   NO_RATE_LIMITS, a JWT_SECRET known here, a fresh SQLite file or a fresh MariaDB database that
//   is dropped afterwards), bench/reference-server.mjs, bare socket.io (socket.io 4 from
//   node_modules, the JWT checked at the handshake, a room per user, '2' and '3' relayed at once;
//   no database, no presence), and the same file with STORE=1, the storing reference: every
//   message written by one multi-row INSERT per batch into a fresh database of the same kind as
//   ours (SQLite with WAL and synchronous=FULL, or MariaDB) before it is emitted and
//   acknowledged; the floor for a server that stores first. Users are inserted straight into
//   `admin` once our server has migrated its database, all with one hash of BENCH_PASSWORD made
//   with the server's own argon2 options (lib.passwordHashOptions); the tokens are signed here
//   exactly as TokenService signs them (sub, data, username, jti, ver; HS256; iss/aud nest-chat),
//   so every server accepts the same tokens and no login sits in the way of the join.
// - Targets (issue 12), each checked against one ratio (the table's `against`): against the
//   storing reference, server CPU per stored private message <= 1.3, private capacity >= 0.8,
//   group and private p99 <= 1.2; against bare socket.io, RSS per connection after the join and
//   at 10,000 idle <= 1.15, join <= 1.2; logins/s >= 0.9 of the plain argon2 loop, socket p99 in
//   the login storm <= 2 x idle; every client with the complete list, --max-idle connections
//   held, nothing lost. Both ratios are printed for every row.
// - Load: --procs client processes (bench/load-client.mjs, forked, driven over IPC), each
//   holding clients/procs socket.io-client connections (websocket transport only, no
//   reconnection: a refused or dropped client is counted, not retried), bound round-robin to
//   source addresses 127.0.0.2-127.0.0.9 so that ephemeral ports never run out. This machine has
//   2 cores, so servers and clients share them: the figures are comparisons in one run, not
//   capacity figures for a dedicated server.
// - Clock: process.hrtime (CLOCK_MONOTONIC), shared by every process on the machine. A message
//   carries its send time in its text; latency = arrival - send, measured in the receiver.
// - Per server, in this order (which server goes first rotates between runs):
//   1. join: every client connects at once; done when every client is connected and (ours) the
//      last online list '1' it received holds all N names. Reported: time, clients connected,
//      clients holding the exact complete list (checked as a set against the N names).
//   2. memory: server VmRSS before the clients and 1 s after the join; per connection.
//   3. group: 40 messages/s in total for --seconds (10), sent from every process in turn
//      (evenly spaced across processes), acknowledged; every client records each arrival.
//      Expected: N deliveries per message sent, and each client exactly one per message.
//      Reported: deliveries/s (received / first send to last arrival), latency p50/p99, server
//      CPU per 1,000 deliveries.
//   4. private: 0.5/s per client in total (1,000/s for 2,000) to random recipients; expected: 1
//      delivery to the recipient and 1 to the sender's tab, per recipient and per sender exactly
//      as sent; a message that reaches a client neither sending nor receiving it, or whose
//      user/to do not match its text, is counted as misrouted. Latency at the recipient; server
//      CPU (utime + stime, /proc/PID/stat) over the phase per message sent.
//   5. (ours only, clients still connected) logins: --login-concurrency POST /login loops for
//      --login-seconds, against a plain sequential argon2.verify loop in this process (the same
//      hash, so the server's argon2 options) run right after, with nothing else running; the
//      server runs at most one hash at a time on 2 cores, so the sequential loop is its fair
//      ceiling (a loop using every core is reported too, for information). Meanwhile a pinger
//      socket measures the round trip of an event refused at once (empty text, answered through
//      the ack), one every 10 ms: p99 while idle, then during the login storm.
// - Once after the runs, per server (ours, bare, storing) on a fresh one with the N clients
//   joined: capacity (see "capacity" below). The private rate doubles from 500/s,
//   --capacity-seconds (3) per step, until a step fails (halves, down to 31/s, when 500/s
//   fails), then is bisected twice; a step holds when its p99 is at most --capacity-p99 (50 ms)
//   and every message is acknowledged and delivered exactly as expected. Then the group rate the
//   same way from 20,000 deliveries/s (10 msg/s with 2,000 clients), against
//   --capacity-group-p99 (default: the same 50 ms). Reported: the highest rate held (0: not even
//   the lowest) and the server's CPU per message at that rate; every step in the JSON. About 3
//   to 6 minutes in all; --no-capacity skips it.
// - Then, on fresh servers (ours and bare): max idle connections. Raw WebSocket clients (engine.io
//   handshake, socket.io connect with the token and presence: 'changes' as our page asks, or
//   whole lists on every change with --idle-whole-lists; pongs; nothing parsed) connect in
//   batches of 500 up to --max-idle (19,000: the hard open-file limit here is 20,000, and the
//   server needs one per connection); at 10,000 and at the top, after --hold seconds, how many
//   are still open and the server's RSS per connection. --runs 0 --no-capacity: this alone.
// - Medians over --runs: each figure is the median of the runs; each ratio is the median of the
//   per-run ratios (the servers measured in the same run). Any lost, duplicated or misrouted
//   delivery, refused message or failed connection in the runs flags the result ('losses').
// - Run time on the 2-core VM: 17 minutes for the full run on SQLite with other work beside it
//   (3 runs x 3 servers 10 min, capacity 2.5 min, 19,000 idle on two servers 4.5 min), 2.5 to 3
//   minutes for --quick.
// - Output: a table on stdout, bench/results/<ISO date>.json (every run's raw figures, every
//   capacity step, the machine, the database, the options) and bench/results/<ISO date>.svg plus
//   bench/results/latest.svg.
import { fork } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import argon2 from 'argon2';
import { io } from 'socket.io-client';
import { renderSvg } from './chart.mjs';
import {
  cpuMs,
  BENCH_JWT_SECRET,
  BENCH_PASSWORD,
  freshDatabase,
  median,
  openFileLimit,
  passwordHashOptions,
  percentile,
  rssBytes,
  seedUsers,
  signToken,
  startRedis,
  startReference,
  startServer,
} from './lib.mjs';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string' },
    runs: { type: 'string' },
    procs: { type: 'string', default: '4' },
    db: {
      type: 'string',
      default: process.env.DATABASE_URL?.startsWith('mysql') ? 'mysql' : 'sqlite',
    },
    'max-idle': { type: 'string' },
    seconds: { type: 'string' },
    'group-rate': { type: 'string', default: '40' },
    // default: 1,000/s for 2,000 clients, i.e. 0.5/s per client whatever --clients is
    'private-rate': { type: 'string' },
    'no-capacity': { type: 'boolean', default: false },
    'capacity-seconds': { type: 'string' },
    'capacity-p99': { type: 'string' }, // ms; 50
    'capacity-group-p99': { type: 'string' }, // ms; --capacity-p99
    'login-seconds': { type: 'string' },
    'login-concurrency': { type: 'string', default: '16' },
    hold: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'no-reference-idle': { type: 'boolean', default: false },
    // idle clients take whole online lists on every change, not presence changes (as before)
    'idle-whole-lists': { type: 'boolean', default: false },
    // writes a V8 CPU profile of our server (and of the reference) per run into this directory
    profile: { type: 'string' },
    instances: { type: 'string', default: '1' },
  },
});
const Q = args.quick;
const N = Number(args.clients ?? (Q ? 200 : 2000));
const RUNS = Number(args.runs ?? (Q ? 1 : 3));
const PROCS = Number(args.procs);
const MAX_IDLE = Number(args['max-idle'] ?? (Q ? 1000 : 19000));
// RSS per idle connection is also read here on the way up (the issue's 10,000), and at the top.
const IDLE_MARK = Math.min(10000, MAX_IDLE);
const SECONDS = Number(args.seconds ?? (Q ? 3 : 10));
// Group: every client receives every message, so 40/s is 40 arrivals per client per second and 40
// deliveries per connection for the server whatever N is: not scaled. Private: scaled with N, so
// that each client sends (and receives) 0.5 per second in the quick run as in the full one.
const GROUP_RATE = Number(args['group-rate']);
const PRIVATE_RATE = Number(args['private-rate'] ?? Math.max(1, Math.round((1000 * N) / 2000)));
const CAPACITY = !args['no-capacity'];
const CAPACITY_SECONDS = Number(args['capacity-seconds'] ?? (Q ? 2 : 3));
const LOGIN_SECONDS = Number(args['login-seconds'] ?? (Q ? 2 : 6));
const LOGIN_CONCURRENCY = Number(args['login-concurrency']);
const HOLD_SECONDS = Number(args.hold ?? (Q ? 3 : 10));
const SOURCES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);
const DRAIN_MS = 20000;
const INSTANCES = Number(args.instances);
const PROFILE_ARGS = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`] : [];

const hrNow = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...xs) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...xs);
const round = (x, d = 2) => (x == null || Number.isNaN(x) ? null : Number(x.toFixed(d)));

// Each idle connection is an open file of the server, which inherits this process's limit.
if (INSTANCES === 1 && openFileLimit() < MAX_IDLE + 500) {
  log(
    `the open-file limit (${openFileLimit()}) is too low for --max-idle ${MAX_IDLE}: run through npm run bench (it raises ulimit -n to the hard limit, ${MAX_IDLE + 500} or more needed), or lower --max-idle`,
  );
  process.exit(1);
}

// ---------- load processes ----------
const procs = Array.from({ length: PROCS }, () =>
  fork(new URL('./load-client.mjs', import.meta.url), [], {
    serialization: 'advanced',
    env: { ...process.env, NODE_OPTIONS: '' },
  }),
);
let nextId = 0;
const pending = new Map();
for (const p of procs) {
  p.on('message', ({ id, ok, result, error }) => {
    const waiter = pending.get(id);
    pending.delete(id);
    if (ok) waiter.resolve(result);
    else waiter.reject(new Error(error));
  });
  p.on('exit', (code) => {
    if (code) {
      log(`a load process exited with ${code}`);
      process.exit(1);
    }
  });
}
const rpc = (p, cmd, a = {}) =>
  new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    procs[p].send({ id, cmd, ...a });
  });
const onAll = (cmd, argsOf = () => ({})) =>
  Promise.all(procs.map((_, i) => rpc(i, cmd, argsOf(i))));
const share = (list, i) => list.filter((_, k) => k % PROCS === i);

// ---------- phases ----------
async function join(server, users, expectList) {
  const t0 = hrNow();
  const names = users.map((u) => u.name);
  const results = await onAll('connect', (i) => ({
    // Several instances (cluster mode): load process i connects its clients to instance i % n.
    url: server.urls ? server.urls[i % server.urls.length] : server.url,
    clients: share(users, i),
    sourceAddresses: SOURCES,
    expectList: expectList ? users.length : 0,
    allNames: expectList ? names : undefined,
    timeoutMs: 120000,
  }));
  const errors = {};
  for (const r of results)
    for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
  const complete = results.every((r) => r.doneAt !== null);
  return {
    ms: complete ? Math.max(...results.map((r) => r.doneAt)) - t0 : null,
    allConnectedMs: Math.max(...results.map((r) => r.lastConnectedAt)) - t0,
    connected: results.reduce((s, r) => s + r.connected, 0),
    failed: results.reduce((s, r) => s + r.failed, 0),
    errors,
    completeLists: expectList ? results.reduce((s, r) => s + r.completeLists, 0) : null,
  };
}

/** Sums the private messages sent per recipient and per sender over the load processes. */
function privateTallies(outs) {
  const sentTo = {};
  const sentBy = {};
  for (const o of outs) {
    for (const [k, v] of Object.entries(o.sentTo)) sentTo[k] = (sentTo[k] ?? 0) + v;
    for (const [k, v] of Object.entries(o.sentBy)) sentBy[k] = (sentBy[k] ?? 0) + v;
  }
  return { sentTo, sentBy };
}

/**
 * Connected clients whose arrivals differ from what was sent: in a group phase each client gets
 * exactly one per message; in a private one, as recipient and as sender exactly as sent.
 */
function wrongClients(kind, perClient, sent) {
  if (kind === 'group') return perClient.filter((c) => c.connected && c.group !== sent).length;
  return perClient.filter(
    (c) =>
      c.connected &&
      (c.asRecipient !== (sent.sentTo[c.name] ?? 0) || c.asSender !== (sent.sentBy[c.name] ?? 0)),
  ).length;
}

function addOutcomes(outs) {
  const sum = { sent: 0, acked: 0, refused: 0, ackTimeouts: 0, refusals: {} };
  for (const o of outs) {
    for (const k of ['sent', 'acked', 'refused', 'ackTimeouts']) sum[k] += o[k];
    for (const [k, v] of Object.entries(o.refusals)) sum.refusals[k] = (sum.refusals[k] ?? 0) + v;
  }
  return sum;
}

/** Waits until `key` deliveries reach `expected` (or DRAIN_MS after the last send). */
async function drain(key, expected) {
  const deadline = hrNow() + DRAIN_MS;
  for (;;) {
    const received = (await onAll('stats')).reduce((s, r) => s + r[key], 0);
    if (received >= expected || hrNow() > deadline) return { received, at: hrNow() };
    await sleep(20);
  }
}

async function sendPhase(kind, rate, names, seconds = SECONDS) {
  const total = Math.round(rate * seconds);
  const durationMs = seconds * 1000;
  const startAt = hrNow() + 300;
  // Process i sends messages i, i+P, i+2P... of the common schedule: evenly spaced overall.
  const outs = await onAll(kind, (i) => ({
    total: Math.floor(total / PROCS) + (i < total % PROCS ? 1 : 0),
    durationMs,
    startAt: startAt + (i * 1000) / rate,
    proc: i,
    allNames: names,
  }));
  return { startAt, outs, outcome: addOutcomes(outs) };
}

async function groupPhase(connected) {
  const { startAt, outcome } = await sendPhase('group', GROUP_RATE);
  const expected = outcome.sent * connected;
  const { received, at } = await drain('group', expected);
  return { outcome, expected, received, seconds: (at - startAt) / 1000 };
}

async function privatePhase(names) {
  const { startAt, outs, outcome } = await sendPhase('private', PRIVATE_RATE, names);
  const expected = outcome.sent * 2;
  const { received, at } = await drain('private', expected);
  const { sentTo, sentBy } = privateTallies(outs);
  return { outcome, expected, received, seconds: (at - startAt) / 1000, sentTo, sentBy };
}

/**
 * Round trips of an event the server refuses at once (empty text, answered through the ack), one
 * every PING_EVERY_MS: a user's rhythm, not a flood that would itself load the server.
 */
const PING_EVERY_MS = 10;
async function pingWhile(socket, keepGoing, minimum) {
  const samples = [];
  while (keepGoing() || samples.length < minimum) {
    const t = performance.now();
    await socket.timeout(10000).emitWithAck('2', { data: '' });
    samples.push(performance.now() - t);
    await sleep(Math.max(0, PING_EVERY_MS - (performance.now() - t)));
  }
  return samples;
}

async function loginPhase(server, pingerToken, hash) {
  const pinger = io(server.url, {
    auth: { token: pingerToken },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  });
  await new Promise((res, rej) => (pinger.once('connect', res), pinger.once('connect_error', rej)));
  await sleep(300);
  await pingWhile(pinger, () => false, 100); // warm-up
  const idle = await pingWhile(pinger, () => false, Q ? 200 : 500);
  let ok = 0;
  let failed = 0;
  const until = hrNow() + LOGIN_SECONDS * 1000;
  const t0 = hrNow();
  const lanes = Array.from({ length: LOGIN_CONCURRENCY }, async (_, k) => {
    while (hrNow() < until) {
      const res = await fetch(`${server.url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: `u${k}`, password: BENCH_PASSWORD }),
      });
      await res.arrayBuffer();
      if (res.status === 200) ok++;
      else failed++;
    }
  });
  let storming = true;
  const all = Promise.all(lanes).finally(() => (storming = false));
  const loaded = await pingWhile(pinger, () => storming, 50);
  await all;
  const seconds = (hrNow() - t0) / 1000;
  pinger.close();
  // The plain loops, with the storm over: same hash, same password, nothing else running.
  const sequential = await argonLoop(hash, 1, LOGIN_SECONDS);
  const parallel = await argonLoop(hash, availableParallelism(), LOGIN_SECONDS / 2);
  return {
    logins: ok,
    failedLogins: failed,
    loginsPerSec: ok / seconds,
    argonSequentialPerSec: sequential,
    argonParallelPerSec: parallel,
    idleP50: percentile(idle, 50),
    idleP99: percentile(idle, 99),
    stormP50: percentile(loaded, 50),
    stormP99: percentile(loaded, 99),
    stormSamples: loaded.length,
  };
}

async function argonLoop(hash, lanes, seconds) {
  let n = 0;
  const until = hrNow() + seconds * 1000;
  const t0 = hrNow();
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (hrNow() < until) {
        if (!(await argon2.verify(hash, BENCH_PASSWORD))) throw new Error('argon2 mismatch');
        n++;
      }
    }),
  );
  return n / ((hrNow() - t0) / 1000);
}

/**
 * CPU used by the server's processes since `before` (ms): in total, and per process when the
 * server is several (cluster mode: `server.pids`, the instances then redis-server).
 */
const cpuSnapshot = (server) => (server.pids ?? [server.pid]).map(cpuMs);
const cpuSince = (server, before) => {
  const byProcess = cpuSnapshot(server).map((ms, i) => ms - before[i]);
  return { total: byProcess.reduce((a, b) => a + b, 0), byProcess };
};
const rssOf = (server) => (server.rssPids ?? [server.pid]).reduce((s, pid) => s + rssBytes(pid), 0);

// MariaDB's own CPU (mariadbd, or mysqld), read beside the server's when the database is MySQL:
// a stored message also costs the database, and on this machine the database shares the cores.
// Only ours and the storing reference use it (bare socket.io: 0).
const databasePid =
  args.db === 'mysql'
    ? (readdirSync('/proc')
        .filter((d) => /^\d+$/.test(d))
        .find((d) => {
          try {
            return ['mariadbd', 'mysqld'].includes(readFileSync(`/proc/${d}/comm`, 'utf8').trim());
          } catch {
            return false;
          }
        }) ?? null)
    : null;
const databaseCpu = () => (databasePid ? cpuMs(databasePid) : null);
const databaseCpuSince = (kind, before) =>
  before === null || kind === 'reference' ? null : databaseCpu() - before;

/**
 * Everything measured on one server with N clients. `expectList`: the join waits for every
 * client to hold the complete online list (ours; not in cluster mode, where the lists are
 * another feature's).
 */
async function measure(kind, server, users, extras, expectList = kind === 'ours') {
  const names = users.map((u) => u.name);
  await sleep(500);
  const rssBefore = rssOf(server);
  log(`${kind}: join of ${users.length} clients`);
  let cpuAt = cpuSnapshot(server);
  const j = await join(server, users, expectList);
  ({ total: j.serverCpuMs, byProcess: j.serverCpuByProcess } = cpuSince(server, cpuAt));
  // The server's CPU in the quiet second after the join: its background, for reading the CPU per
  // message of a phase (which includes it).
  cpuAt = cpuSnapshot(server);
  await sleep(1000);
  j.quietCpuMsPerSec = cpuSince(server, cpuAt).total;
  const rssAfter = rssOf(server);
  log(
    `${kind}: joined in ${round(j.ms)} ms (${j.connected} connected, lists ${j.completeLists}, server CPU ${round(j.serverCpuMs)} ms)`,
  );
  cpuAt = cpuSnapshot(server);
  const g = await groupPhase(j.connected);
  ({ total: g.serverCpuMs, byProcess: g.serverCpuByProcess } = cpuSince(server, cpuAt));
  log(`${kind}: group ${g.received}/${g.expected}, server CPU ${round(g.serverCpuMs)} ms`);
  // A quiet second, so that the group phase's leftovers (its garbage collection) are not counted
  // in the private phase's CPU per message; what the server did in it is kept.
  cpuAt = cpuSnapshot(server);
  await sleep(1000);
  g.afterCpuMs = cpuSince(server, cpuAt).total;
  cpuAt = cpuSnapshot(server);
  const dbCpuAt = databaseCpu();
  const p = await privatePhase(names);
  ({ total: p.serverCpuMs, byProcess: p.serverCpuByProcess } = cpuSince(server, cpuAt));
  p.databaseCpuMs = databaseCpuSince(kind, dbCpuAt);
  log(`${kind}: private ${p.received}/${p.expected}, server CPU ${round(p.serverCpuMs)} ms`);
  const collected = await onAll('collect');
  const groupLat = concat(collected.map((c) => c.group.latencies));
  const privLat = concat(collected.map((c) => c.private.latencies));
  const perClient = collected.flatMap((c) => c.perClient);
  // Exactly one arrival per message per connected client; exactly as many private ones as sent.
  const wrongGroupCount = wrongClients('group', perClient, g.outcome.sent);
  const wrongPrivateCount = wrongClients('private', perClient, p);
  const misrouted = collected.reduce((s, c) => s + c.private.misrouted, 0);
  const logins = extras ? await extras() : null;
  await onAll('close');
  const losses =
    j.failed +
    (j.completeLists !== null ? users.length - j.completeLists : 0) +
    (g.expected - g.received) +
    (p.expected - p.received) +
    g.outcome.refused +
    g.outcome.ackTimeouts +
    p.outcome.refused +
    p.outcome.ackTimeouts +
    wrongGroupCount +
    wrongPrivateCount +
    misrouted;
  return {
    join: j,
    rss: {
      before: rssBefore,
      after: rssAfter,
      perConnection: (rssAfter - rssBefore) / j.connected,
    },
    group: {
      ...g,
      deliveriesPerSec: g.received / g.seconds,
      p50: percentile(groupLat, 50),
      p99: percentile(groupLat, 99),
      max: groupLat.reduce((m, x) => Math.max(m, x), 0),
      clientsWithWrongCount: wrongGroupCount,
    },
    private: {
      outcome: p.outcome,
      serverCpuMs: p.serverCpuMs,
      serverCpuByProcess: p.serverCpuByProcess,
      databaseCpuMs: p.databaseCpuMs,
      expected: p.expected,
      received: p.received,
      seconds: p.seconds,
      p50: percentile(privLat, 50),
      p99: percentile(privLat, 99),
      max: privLat.reduce((m, x) => Math.max(m, x), 0),
      clientsWithWrongCount: wrongPrivateCount,
      misrouted,
      misroutedExamples: collected.flatMap((c) => c.private.misroutedExamples).slice(0, 5),
    },
    logins,
    problems: losses,
  };
}

function concat(arrays) {
  const out = new Float64Array(arrays.reduce((s, a) => s + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out.sort();
}

async function withTokens(rows) {
  return Promise.all(
    rows.map(async (r) => ({ name: r.name, token: await signToken(r.id, r.name) })),
  );
}

async function oneRun(r, hash) {
  const db = await freshDatabase(args.db);
  const ours = await startServer(
    { DATABASE_URL: db.url, JWT_SECRET: BENCH_JWT_SECRET },
    PROFILE_ARGS,
  );
  const names = Array.from({ length: N }, (_, i) => `u${i}`);
  const rows = await seedUsers(db.url, [...names, 'pinger'], hash);
  const all = await withTokens(rows);
  const users = all.slice(0, N);
  const pingerToken = all[N].token;
  const reference = await startReference(PROFILE_ARGS);
  // The storing reference writes into a fresh database of the same kind as ours.
  const storingDb = await freshDatabase(args.db);
  const storing = await startReference(PROFILE_ARGS, storingDb.url);
  const out = {};
  // Each server takes each place in turn, run after run.
  const kinds = ['ours', 'reference', 'storing'];
  const order = kinds.map((_, i) => kinds[(i + r) % kinds.length]);
  try {
    for (const kind of order) {
      out[kind] =
        kind === 'ours'
          ? await measure('ours', ours, users, () => loginPhase(ours, pingerToken, hash))
          : await measure(kind, kind === 'storing' ? storing : reference, users, null);
    }
  } finally {
    await storing.stop();
    await reference.stop();
    await ours.stop();
    await storingDb.drop();
    await db.drop();
  }
  return out;
}

/**
 * A fresh server of one kind ('ours', 'reference' or 'storing', each on a fresh database where it
 * has one) with `count` users u0... and their tokens (ours: seeded in its database; the references
 * check only the token's signature and name).
 */
async function freshServer(kind, hash, count) {
  const db = kind === 'reference' ? null : await freshDatabase(args.db);
  const server =
    kind === 'ours'
      ? await startServer({ DATABASE_URL: db.url, JWT_SECRET: BENCH_JWT_SECRET })
      : await startReference([], db?.url ?? null);
  const names = Array.from({ length: count }, (_, i) => `u${i}`);
  const rows =
    kind === 'ours'
      ? await seedUsers(db.url, names, hash)
      : names.map((name, i) => ({ id: i + 1, name }));
  return {
    server,
    users: await withTokens(rows),
    stop: async () => {
      await server.stop();
      await db?.drop();
    },
  };
}

// ---------- capacity ----------
//
// Once after the runs, per server on a fresh one with the N clients joined: the private rate (then
// the group rate) is stepped up, CAPACITY_SECONDS per step (longer at low rates: stepSeconds),
// doubling from a start until a step fails (halving when the start fails), then bisected twice
// between the highest step held and the lowest failed. A step holds when the latency p99 is at
// most CAPACITY_P99_MS (group: GROUP_CAPACITY_P99_MS) and every message is acknowledged and
// delivered exactly as expected (nothing refused, timed out, lost, duplicated or misrouted). The
// server's CPU (utime + stime from /proc/PID/stat) over the step, from the first send to the last
// arrival, divided by the messages sent, is its CPU per message at that rate.
const CAPACITY_P99_MS = Number(args['capacity-p99'] ?? 50);
// A broadcast's p99 is its fan-out: the last of N arrivals. With 2,000 clients on this 2-core
// machine that alone can pass 50 ms at 1 msg/s, hence a limit of its own.
const GROUP_CAPACITY_P99_MS = Number(args['capacity-group-p99'] ?? CAPACITY_P99_MS);
const BISECTIONS = 2;
const PRIVATE_START = 500;
const PRIVATE_MAX = 64000;
// about 20,000 deliveries/s to start with (10 msg/s with 2,000 clients), at most 128 times that
const GROUP_START = Math.max(1, Math.round(20000 / N));
const GROUP_MAX = GROUP_START * 128;
// A p99 needs samples: a step at a low rate lasts until it has sent at least this many messages
// (a broadcast gives N arrivals, but they share one fan-out), up to 3 times CAPACITY_SECONDS.
const STEP_MESSAGES = { private: 200, group: 30 };
const stepSeconds = (what, rate) =>
  Math.min(3 * CAPACITY_SECONDS, Math.max(CAPACITY_SECONDS, STEP_MESSAGES[what] / rate));
const stepRate = (x) => (x >= 200 ? Math.round(x / 50) * 50 : Math.max(1, Math.round(x)));

async function capacityStep(kind, server, what, rate, names, connected) {
  await onAll('reset');
  const cpuAt = cpuSnapshot(server);
  const dbCpuAt = databaseCpu();
  const cpuStartedAt = hrNow();
  const { startAt, outs, outcome } = await sendPhase(what, rate, names, stepSeconds(what, rate));
  const expected = outcome.sent * (what === 'group' ? connected : 2);
  const { received, at } = await drain(what, expected);
  const cpu = cpuSince(server, cpuAt).total;
  const dbCpu = databaseCpuSince(kind, dbCpuAt);
  const collected = await onAll('collect');
  const latencies = concat(collected.map((c) => c[what].latencies));
  const perClient = collected.flatMap((c) => c.perClient);
  const wrong = wrongClients(
    what,
    perClient,
    what === 'group' ? outcome.sent : privateTallies(outs),
  );
  const misrouted = what === 'private' ? collected.reduce((s, c) => s + c.private.misrouted, 0) : 0;
  const step = {
    rate,
    sent: outcome.sent,
    refused: outcome.refused,
    ackTimeouts: outcome.ackTimeouts,
    expected,
    received,
    clientsWithWrongCount: wrong,
    misrouted,
    seconds: (at - startAt) / 1000,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    serverCpuMs: cpu,
    cpuPerMessage: cpu / outcome.sent,
    // near 1: the server had a core to itself and was the bottleneck; well under 1 at a failed
    // step: the load processes (or the rest of the machine) were
    serverCoreShare: cpu / (at - cpuStartedAt),
    // MariaDB's CPU over the step (null on SQLite, where it is the server's own)
    databaseCpuMs: dbCpu,
    databaseCpuPerMessage: dbCpu === null ? null : dbCpu / outcome.sent,
  };
  const problems =
    outcome.refused + outcome.ackTimeouts + Math.abs(expected - received) + wrong + misrouted;
  step.held =
    problems === 0 && step.p99 <= (what === 'group' ? GROUP_CAPACITY_P99_MS : CAPACITY_P99_MS);
  step.why = step.held
    ? null
    : problems
      ? `refused ${outcome.refused}, timed out ${outcome.ackTimeouts}, delivered ${received} of ${expected}, clients with a wrong count ${wrong}, misrouted ${misrouted}`
      : `p99 ${round(step.p99)} ms`;
  log(
    `${kind}: ${what} ${rate}/s ${step.held ? 'held' : 'FAILED'}: p99 ${round(step.p99)} ms, CPU ${round(step.cpuPerMessage, 3)} ms/msg (${round(step.serverCoreShare * 100, 0)}% of a core)${step.databaseCpuMs === null ? '' : `, MariaDB ${round(step.databaseCpuPerMessage, 3)} ms/msg`}${step.why && problems ? `; ${step.why}` : ''}`,
  );
  return step;
}

/**
 * The highest rate held: doubling from `start` up to `max` (or halving when `start` fails), then
 * BISECTIONS bisections between the highest rate held and the lowest failed.
 */
async function search(step, start, max) {
  const steps = [];
  let held = null;
  let failed = null;
  const attempt = async (rate) => {
    const s = await step(rate);
    steps.push(s);
    if (s.held) held = s;
    else failed = s;
    return s;
  };
  for (let rate = start; rate <= max; rate *= 2) if (!(await attempt(rate)).held) break;
  // Failed at the start: halving, down to a sixteenth of it (a latency floor above the p99 limit
  // fails at any rate: the capacity is then 0).
  for (let rate = start / 2; !held && rate >= start / 16; rate /= 2) {
    if (failed.received < failed.expected || stepRate(rate) >= failed.rate) break;
    await attempt(stepRate(rate));
  }
  for (let b = 0; failed && b < BISECTIONS; b++) {
    // A step that lost deliveries may still deliver them late, into the next step: stop there.
    if (failed.received < failed.expected) break;
    const rate = stepRate(((held?.rate ?? 0) + failed.rate) / 2);
    if (rate <= (held?.rate ?? 0) || rate >= failed.rate) break;
    await attempt(rate);
  }
  return {
    held: held?.rate ?? 0,
    cpuPerMessage: held?.cpuPerMessage ?? null,
    databaseCpuPerMessage: held?.databaseCpuPerMessage ?? null,
    p99: held?.p99 ?? null,
    failedAt: failed?.rate ?? null,
    failedBecause: failed ? failed.why : `not reached: the search stops at ${max}/s`,
    steps,
  };
}

async function capacityOf(kind, hash) {
  const fresh = await freshServer(kind, hash, N);
  try {
    await sleep(500);
    log(`${kind}: capacity, join of ${N} clients`);
    const j = await join(fresh.server, fresh.users, false);
    await sleep(2000); // the join's leftovers (presence, garbage) out of the first step
    const names = fresh.users.map((u) => u.name);
    const step = (what) => (rate) =>
      capacityStep(kind, fresh.server, what, rate, names, j.connected);
    const result = {
      clients: j.connected,
      failedConnections: j.failed,
      private: await search(step('private'), PRIVATE_START, PRIVATE_MAX),
      group: await search(step('group'), GROUP_START, GROUP_MAX),
    };
    await onAll('close');
    return result;
  } finally {
    await fresh.stop();
  }
}

/**
 * Idle authenticated connections: raw clients connect in batches of 500 up to MAX_IDLE (or until
 * the server refuses most of a batch); at IDLE_MARK and at the top, after HOLD_SECONDS of quiet,
 * how many are still open and the server's RSS.
 */
async function idleRamp(kind, hash) {
  const { server, users, stop } = await freshServer(kind, hash, MAX_IDLE);
  const BATCH = 500;
  const errors = {};
  let opened = 0;
  let mark = null;
  let rssBefore = 0;
  const settle = async () => {
    await sleep(HOLD_SECONDS * 1000);
    const held = (await onAll('idleCount')).reduce((s, x) => s + x.open, 0);
    const rss = rssBytes(server.pid);
    return { opened, held, rss, rssPerConnection: held ? (rss - rssBefore) / held : null };
  };
  try {
    await sleep(500);
    rssBefore = rssBytes(server.pid);
    const t0 = hrNow();
    for (let at = 0; at < users.length; at += BATCH) {
      const batch = users.slice(at, at + BATCH);
      const res = await onAll('idleConnect', (i) => ({
        url: server.url,
        clients: share(batch, i),
        sourceAddresses: SOURCES,
        offset: at + i,
        wholeLists: args['idle-whole-lists'],
      }));
      let batchOpened = 0;
      for (const x of res) {
        batchOpened += x.opened;
        for (const [k, v] of Object.entries(x.errors)) errors[k] = (errors[k] ?? 0) + v;
      }
      opened += batchOpened;
      if (batchOpened < batch.length / 2) break; // the server is refusing: that is its limit
      if (!mark && at + batch.length >= IDLE_MARK && IDLE_MARK < MAX_IDLE) {
        mark = await settle();
        log(`${kind}: ${mark.held} idle held, ${round(mark.rssPerConnection / 1024)} KB each`);
      }
    }
    const rampSeconds = (hrNow() - t0) / 1000;
    log(`${kind}: idle ramp opened ${opened} in ${round(rampSeconds, 1)} s; holding`);
    const top = await settle();
    log(`${kind}: ${top.held} idle held, ${round(top.rssPerConnection / 1024)} KB each`);
    await onAll('close');
    return {
      target: MAX_IDLE,
      opened,
      held: top.held,
      errors,
      rampSeconds,
      holdSeconds: HOLD_SECONDS,
      rssBefore,
      rssAfter: top.rss,
      rssPerConnection: top.rssPerConnection,
      // RSS at IDLE_MARK connections (the top itself when MAX_IDLE is no more than that)
      atMark: mark ?? top,
    };
  } finally {
    await stop();
  }
}

// ---------- main ----------
const started = Date.now();
const hashOptions = await passwordHashOptions();
const hash = await argon2.hash(BENCH_PASSWORD, hashOptions);
if (INSTANCES > 1) {
  await clusterBench(hash);
  process.exit(0);
}
const runs = [];
for (let r = 0; r < RUNS; r++) {
  log(`run ${r + 1}/${RUNS} (${args.db}, ${N} clients, ${PROCS} load processes)`);
  runs.push(await oneRun(r, hash));
}
let capacity = null;
if (CAPACITY) {
  log(
    `capacity: ${N} clients, ${CAPACITY_SECONDS} s per step, p99 <= ${CAPACITY_P99_MS} ms (group: ${GROUP_CAPACITY_P99_MS} ms)`,
  );
  capacity = {};
  for (const kind of ['ours', 'reference', 'storing'])
    capacity[kind] = await capacityOf(kind, hash);
}
log(`idle connections: ramp to ${MAX_IDLE}`);
const idle = { ours: await idleRamp('ours', hash) };
if (!args['no-reference-idle']) idle.reference = await idleRamp('reference', hash);
for (const p of procs) p.disconnect();

const med = (f) => median(runs.map(f).filter((x) => x != null && !Number.isNaN(x)));
const ratio = (a, b) => (a == null || !b ? null : a / b);
// Every row: ours, reference (bare socket.io), ratio (ours / bare), storing, storingRatio (ours /
// storing). A target is checked against one of the ratios, named by `against`: 'storing' is
// storingRatio; 'bare' is ratio, as are 'loop' and 'idle' (rows whose second column holds the
// plain argon2 loop or the idle round trip instead of bare socket.io); 'value' checks ours itself.
const pair = (f) => ({
  ours: med((r) => f(r.ours)),
  reference: med((r) => f(r.reference)),
  ratio: med((r) => f(r.ours) / f(r.reference)),
  storing: med((r) => f(r.storing)),
  storingRatio: med((r) => f(r.ours) / f(r.storing)),
  fromRuns: true,
});
/** A row from one figure of each server (capacity, idle: measured once, not per run). */
const once = (ours, reference, storing = null) => ({
  ours,
  reference,
  ratio: ratio(ours, reference),
  storing,
  storingRatio: ratio(ours, storing),
});
const le = (limit, against, chart) => ({ target: limit, dir: 'le', against, chart });
const ge = (limit, against, chart) => ({ target: limit, dir: 'ge', against, chart });
const info = { target: null, against: null };
const capacityOfKind = (kind, what, f = (c) => c.held) =>
  capacity?.[kind] ? f(capacity[kind][what]) : null;
const capacityRow = (what, f) =>
  once(
    capacityOfKind('ours', what, f),
    capacityOfKind('reference', what, f),
    capacityOfKind('storing', what, f),
  );
const idleRef = idle.reference ?? null;
const problemsOf = (kind) => runs.reduce((s, r) => s + r[kind].problems, 0);
const allRows = [
  {
    metric: `join: ${N} clients connected + full online list (ms)`,
    ...pair((x) => x.join.ms),
    ...le(1.2, 'bare', 'join time'),
  },
  {
    metric: 'join: clients holding the complete list',
    ...once(
      med((r) => r.ours.join.completeLists),
      null,
    ),
    fromRuns: true,
    target: N,
    dir: 'eq',
    against: 'value',
  },
  {
    metric: 'server RSS per connection after the join (KB)',
    ...pair((x) => x.rss.perConnection / 1024),
    ...le(1.15, 'bare', 'RSS/conn, join'),
  },
  {
    metric: `group deliveries/s (${GROUP_RATE} msg/s x ${N})`,
    ...pair((x) => x.group.deliveriesPerSec),
    ...info,
  },
  { metric: 'group latency p50 (ms)', ...pair((x) => x.group.p50), ...info },
  {
    metric: 'group latency p99 (ms)',
    ...pair((x) => x.group.p99),
    ...le(1.2, 'storing', 'group p99'),
  },
  {
    metric: 'server CPU per 1,000 group deliveries (ms)',
    ...pair((x) => (x.group.serverCpuMs / x.group.received) * 1000),
    ...info,
  },
  {
    metric: `private latency p50 (ms, ${PRIVATE_RATE}/s)`,
    ...pair((x) => x.private.p50),
    ...info,
  },
  {
    metric: 'private latency p99 (ms)',
    ...pair((x) => x.private.p99),
    ...le(1.2, 'storing', 'private p99'),
  },
  {
    metric: `server CPU per stored private message (ms, ${PRIVATE_RATE}/s)`,
    ...pair((x) => x.private.serverCpuMs / x.private.outcome.sent),
    ...le(1.3, 'storing', 'CPU/stored msg'),
  },
  ...(args.db === 'mysql'
    ? [
        {
          metric: '  MariaDB CPU per stored private message (ms)',
          ...pair((x) =>
            x.private.databaseCpuMs == null
              ? null
              : x.private.databaseCpuMs / x.private.outcome.sent,
          ),
          reference: null, // bare socket.io stores nothing
          ratio: null,
          ...info,
        },
      ]
    : []),
  ...(capacity
    ? [
        {
          metric: `private capacity (msg/s, p99 <= ${CAPACITY_P99_MS} ms)`,
          ...capacityRow('private'),
          ...ge(0.8, 'storing', 'private capacity'),
        },
        {
          metric: '  server CPU per private message there (ms)',
          ...capacityRow('private', (c) => c.cpuPerMessage),
          ...info,
        },
        ...(args.db === 'mysql'
          ? [
              {
                metric: '  MariaDB CPU per private message there (ms)',
                ...capacityRow('private', (c) => c.databaseCpuPerMessage),
                ...info,
              },
            ]
          : []),
        {
          metric: `group capacity (msg/s x ${N}, p99 <= ${GROUP_CAPACITY_P99_MS} ms)`,
          ...capacityRow('group'),
          ...info,
        },
        {
          metric: '  server CPU per 1,000 group deliveries there (ms)',
          ...capacityRow('group', (c) =>
            c.cpuPerMessage == null ? null : (c.cpuPerMessage * 1000) / N,
          ),
          ...info,
        },
      ]
    : []),
  {
    metric: 'logins/s (second column: plain argon2 loop)',
    ...once(
      med((r) => r.ours.logins.loginsPerSec),
      med((r) => r.ours.logins.argonSequentialPerSec),
    ),
    ratio: med((r) => r.ours.logins.loginsPerSec / r.ours.logins.argonSequentialPerSec),
    fromRuns: true,
    ...ge(0.9, 'loop', 'logins / argon2 loop'),
  },
  {
    metric: 'socket p99 in login storm (ms; second column: idle)',
    ...once(
      med((r) => r.ours.logins.stormP99),
      med((r) => r.ours.logins.idleP99),
    ),
    ratio: med((r) => r.ours.logins.stormP99 / r.ours.logins.idleP99),
    fromRuns: true,
    ...le(2, 'idle', 'storm p99 / idle'),
  },
  {
    metric: `idle authenticated connections held (of ${MAX_IDLE})`,
    ...once(idle.ours.held, idleRef?.held ?? null),
    target: MAX_IDLE,
    dir: 'ge',
    against: 'value',
  },
  {
    metric: `idle: server RSS per connection at ${IDLE_MARK} (KB)`,
    ...once(
      idle.ours.atMark.rssPerConnection / 1024,
      idleRef ? idleRef.atMark.rssPerConnection / 1024 : null,
    ),
    ...le(1.15, 'bare', `RSS/conn, ${IDLE_MARK} idle`),
  },
  ...(IDLE_MARK < MAX_IDLE
    ? [
        {
          metric: `idle: server RSS per connection at the top (KB)`,
          ...once(
            idle.ours.rssPerConnection / 1024,
            idleRef ? idleRef.rssPerConnection / 1024 : null,
          ),
          ...info,
        },
      ]
    : []),
  {
    // Capacity steps that fail are how a capacity is found: not counted here.
    metric: 'lost/misrouted/refused (all runs)',
    ...once(problemsOf('ours'), problemsOf('reference'), problemsOf('storing')),
    ratio: null,
    storingRatio: null,
    target: 0,
    dir: 'eq',
    against: 'all',
  },
];
// --runs 0: capacity and idle connections only.
const rows = allRows.filter((row) => RUNS > 0 || !row.fromRuns);
for (const row of rows) {
  delete row.fromRuns;
  row.checked =
    row.against === 'storing'
      ? row.storingRatio
      : ['bare', 'loop', 'idle'].includes(row.against)
        ? row.ratio
        : row.ours;
  const ok = (x) =>
    x != null &&
    (row.dir === 'le' ? x <= row.target : row.dir === 'ge' ? x >= row.target : x === row.target);
  row.passed =
    row.target == null
      ? null
      : row.against === 'all'
        ? [row.ours, row.reference, row.storing].every(ok)
        : ok(row.checked);
  // A reference that held nothing (a capacity of 0): ours passes a '>=' target if it held anything.
  const floor = row.against === 'storing' ? row.storing : row.reference;
  if (row.dir === 'ge' && floor === 0 && row.checked == null) row.passed = row.ours > 0;
}

const date = fileStamp(started);
const result = {
  benchmark: 'nest-chat vs bare socket.io and the storing reference',
  date: new Date(started).toISOString(),
  durationSeconds: Math.round((Date.now() - started) / 1000),
  machine: machine(),
  database: args.db === 'mysql' ? 'mysql (MariaDB/MySQL)' : 'sqlite',
  options: {
    clients: N,
    runs: RUNS,
    loadProcesses: PROCS,
    groupRate: GROUP_RATE,
    privateRate: PRIVATE_RATE,
    phaseSeconds: SECONDS,
    loginSeconds: LOGIN_SECONDS,
    loginConcurrency: LOGIN_CONCURRENCY,
    passwordHashOptions: hashOptions,
    capacity: CAPACITY,
    capacitySeconds: CAPACITY_SECONDS,
    capacityP99Ms: CAPACITY_P99_MS,
    groupCapacityP99Ms: GROUP_CAPACITY_P99_MS,
    maxIdle: MAX_IDLE,
    idleMark: IDLE_MARK,
    idleWholeLists: args['idle-whole-lists'],
    openFileLimit: openFileLimit(),
    quick: Q,
  },
  table: rows.map((row) => ({
    ...row,
    ours: round(row.ours),
    reference: round(row.reference),
    ratio: round(row.ratio, 3),
    storing: round(row.storing),
    storingRatio: round(row.storingRatio, 3),
    checked: round(row.checked, 3),
  })),
  lossesFlagged: rows.at(-1).passed === false,
  capacity,
  idle,
  runs,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const base = new URL(`./results/${date}`, import.meta.url);
writeFileSync(`${base.pathname}.json`, JSON.stringify(result, null, 2) + '\n');
writeFileSync(`${base.pathname}.svg`, renderSvg(result));
copyFileSync(`${base.pathname}.svg`, new URL('./results/latest.svg', import.meta.url).pathname);

const fmt = (x) => (x == null ? '-' : String(round(x, x >= 100 ? 0 : 2)));
const targetText = (row) =>
  row.target == null
    ? 'info'
    : `${{ le: '<=', ge: '>=', eq: '=' }[row.dir]} ${row.target}${['value', 'all'].includes(row.against) ? '' : ` vs ${row.against}`}`;
const widths = [54, 9, 9, 8, 9, 8, 18, 4];
const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join(' ');
console.log(`\n${result.benchmark}: ${result.database}, ${N} clients, ${RUNS} run(s), medians`);
console.log(
  `${result.machine.cpu}, ${result.machine.cores} cores, ${result.machine.memoryGB} GB, node ${process.version}; ${PROCS} load processes; ${Math.round(result.durationSeconds / 60)} min\n`,
);
console.log(line(['metric', 'ours', 'bare', 'ratio', 'storing', 'ratio', 'target', 'pass']));
for (const row of result.table)
  console.log(
    line([
      row.metric,
      fmt(row.ours),
      fmt(row.reference),
      fmt(row.ratio),
      fmt(row.storing),
      fmt(row.storingRatio),
      targetText(row),
      row.passed === null ? '' : row.passed ? 'yes' : 'NO',
    ]),
  );
console.log(
  '\nratio: ours / bare socket.io (or / the second column where the metric names it), then ours / storing reference',
);
if (result.lossesFlagged)
  console.log(
    '\nLOSSES: some deliveries were lost, duplicated, misrouted or refused; see the JSON',
  );
console.log(`\n${base.pathname}.json\n${base.pathname}.svg (and bench/results/latest.svg)`);

// ---------- cluster mode (--instances N) ----------
//
// The same load (clients, group and private rates, phases) against, in one run:
//   one     one instance, no Redis (single-process mode)
//   adapter one instance with REDIS_URL: the Redis adapter publishes every broadcast, nobody else
//           listens (what the adapter itself costs an instance)
//   cluster N instances behind the adapter, one redis-server of the benchmark's own; load
//           process i connects its clients to instance i % N, so senders and recipients are
//           spread across instances and most deliveries cross Redis
// Each on a fresh MariaDB database (cluster mode needs a shared database; all three use MariaDB
// so that they compare), the order rotating between runs. The join waits for every client to be
// connected (not for the online lists). Reported: what the single benchmark reports, plus the
// CPU time of every server process (each instance, redis-server) per phase; MariaDB's is not
// counted (a shared server on this machine).
async function clusterBench(hash) {
  const CONFIGS = [
    { kind: 'one', instances: 1, redis: false },
    { kind: 'adapter', instances: 1, redis: true },
    { kind: 'cluster', instances: INSTANCES, redis: true },
  ];
  const names = Array.from({ length: N }, (_, i) => `u${i}`);
  const runs = [];
  for (let r = 0; r < RUNS; r++) {
    log(`cluster run ${r + 1}/${RUNS} (mysql, ${N} clients, ${PROCS} load processes)`);
    const out = {};
    for (let k = 0; k < CONFIGS.length; k++) {
      const config = CONFIGS[(k + r) % CONFIGS.length];
      const db = await freshDatabase('mysql');
      const redis = config.redis ? await startRedis() : null;
      const instances = [];
      try {
        const env = {
          DATABASE_URL: db.url,
          JWT_SECRET: BENCH_JWT_SECRET,
          ...(redis ? { REDIS_URL: redis.url } : {}),
        };
        // One at a time: the first runs the migrations.
        for (let i = 0; i < config.instances; i++)
          instances.push(await startServer(env, PROFILE_ARGS));
        const users = await withTokens(await seedUsers(db.url, names, hash));
        const server = {
          url: instances[0].url,
          urls: instances.map((s) => s.url),
          pid: instances[0].pid,
          pids: [...instances.map((s) => s.pid), ...(redis ? [redis.pid] : [])],
          rssPids: instances.map((s) => s.pid),
        };
        out[config.kind] = await measure(config.kind, server, users, null, false);
        out[config.kind].processes = [
          ...instances.map((_, i) => `instance ${i + 1}`),
          ...(redis ? ['redis-server'] : []),
        ];
      } finally {
        for (const instance of instances) await instance.stop();
        await redis?.stop();
        await db.drop();
      }
    }
    runs.push(out);
  }
  for (const p of procs) p.disconnect();

  const kinds = CONFIGS.map((c) => c.kind);
  const med = (f) => median(runs.map(f).filter((x) => x != null && !Number.isNaN(x)));
  const each = (f) => Object.fromEntries(kinds.map((kind) => [kind, med((r) => f(r[kind]))]));
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  /** CPU (ms) of the instances only, and of redis-server, in a phase. */
  const split = (x, phase) => {
    const by = x[phase].serverCpuByProcess;
    const n = x.processes.filter((p) => p.startsWith('instance')).length;
    return { instances: by.slice(0, n), redis: sum(by.slice(n)) };
  };
  const rows = [
    { metric: `join: ${N} clients connected (ms)`, ...each((x) => x.join.allConnectedMs) },
    {
      metric: `group deliveries/s (${GROUP_RATE} msg/s x ${N})`,
      ...each((x) => x.group.deliveriesPerSec),
    },
    { metric: 'group latency p50 (ms)', ...each((x) => x.group.p50) },
    { metric: 'group latency p99 (ms)', ...each((x) => x.group.p99) },
    { metric: `private latency p50 (ms, ${PRIVATE_RATE}/s)`, ...each((x) => x.private.p50) },
    { metric: 'private latency p99 (ms)', ...each((x) => x.private.p99) },
    {
      metric: 'group phase: CPU of all instances (ms)',
      ...each((x) => sum(split(x, 'group').instances)),
    },
    {
      metric: 'group phase: CPU of the busiest instance (ms)',
      ...each((x) => Math.max(...split(x, 'group').instances)),
    },
    { metric: 'group phase: CPU of redis-server (ms)', ...each((x) => split(x, 'group').redis) },
    {
      metric: 'group: instances CPU per 1,000 deliveries (ms)',
      ...each((x) => (sum(split(x, 'group').instances) / x.group.received) * 1000),
    },
    {
      metric: 'private phase: CPU of all instances (ms)',
      ...each((x) => sum(split(x, 'private').instances)),
    },
    {
      metric: 'private phase: CPU of the busiest instance (ms)',
      ...each((x) => Math.max(...split(x, 'private').instances)),
    },
    {
      metric: 'private phase: CPU of redis-server (ms)',
      ...each((x) => split(x, 'private').redis),
    },
    {
      metric: 'private: instances CPU per message (ms)',
      ...each((x) => sum(split(x, 'private').instances) / x.private.outcome.sent),
    },
    {
      metric: 'join: instances CPU per connection (ms)',
      ...each((x) => sum(split(x, 'join').instances) / x.join.connected),
    },
    { metric: 'instances RSS per connection (KB)', ...each((x) => x.rss.perConnection / 1024) },
    {
      metric: 'lost/misrouted/refused (all runs)',
      ...Object.fromEntries(kinds.map((kind) => [kind, sum(runs.map((r) => r[kind].problems))])),
    },
  ];
  const date = fileStamp(started);
  const result = {
    benchmark: `nest-chat: one instance against ${INSTANCES} behind the Redis adapter`,
    date: new Date(started).toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    machine: machine(),
    database: 'mysql (MariaDB/MySQL)',
    options: {
      instances: INSTANCES,
      clients: N,
      runs: RUNS,
      loadProcesses: PROCS,
      groupRate: GROUP_RATE,
      privateRate: PRIVATE_RATE,
      phaseSeconds: SECONDS,
      quick: Q,
    },
    table: rows.map((row) => ({
      metric: row.metric,
      ...Object.fromEntries(kinds.map((kind) => [kind, round(row[kind])])),
    })),
    lossesFlagged: kinds.some((kind) => rows.at(-1)[kind] > 0),
    runs,
  };
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  const file = new URL(`./results/${date}-instances-${INSTANCES}.json`, import.meta.url).pathname;
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');

  const fmt = (x) => (x == null ? '-' : String(round(x, x >= 100 ? 0 : 2)));
  const widths = [50, 10, 10, 10];
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join(' ');
  console.log(`\n${result.benchmark}: MariaDB, ${N} clients, ${RUNS} run(s), medians`);
  console.log(
    `${result.machine.cpu}, ${result.machine.cores} cores, ${result.machine.memoryGB} GB, node ${process.version}; ${PROCS} load processes\n`,
  );
  console.log(line(['metric', '1 inst.', '1 + Redis', `${INSTANCES} + Redis`]));
  for (const row of result.table)
    console.log(line([row.metric, ...kinds.map((kind) => fmt(row[kind]))]));
  if (result.lossesFlagged)
    console.log(
      '\nLOSSES: some deliveries were lost, duplicated, misrouted or refused; see the JSON',
    );
  console.log(`\n${file}`);
}

/** The machine a run was measured on, for its result file. */
function machine() {
  return {
    cpu: cpus()[0].model,
    cores: availableParallelism(),
    memoryGB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

/** A result file's name stamp: the start time without characters a file name should not hold. */
function fileStamp(started) {
  return new Date(started)
    .toISOString()
    .replace(/[:]/g, '-')
    .replace(/\.\d+Z$/, 'Z');
}
