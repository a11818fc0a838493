// What one connection costs the server: RSS and JS heap (after a full GC) per authenticated
// socket, for one or more builds of our server and the bare reference, alternated in one run.
//
//   node bench/socket-memory.mjs [--clients 2000] [--rounds 3] [--db sqlite|mysql]
//                                [--root DIR]... [--no-reference] [--full-lists] [--snapshot]
//                                [--events K]
//
// --root: a checkout with a built dist/ (default: this one); give several to compare builds.
// Clients are raw WebSockets in this process (the engine.io and socket.io connect packets,
// pongs, nothing parsed), opened 500 at a time; the figures are taken once the server is quiet.
// --snapshot: also a heap snapshot before and after, diffed per (type, name): the objects,
// closures and contexts each socket adds.
// --events K: then every socket sends K `typing` notices: server CPU per handled event
// (--profile-events: a CPU profile of them). --profile-join: what the join allocates.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import argon2 from 'argon2';
import WebSocket from 'ws';
import {
  BENCH_JWT_SECRET,
  BENCH_PASSWORD,
  cpuMs,
  freePort,
  freshDatabase,
  median,
  rssBytes,
  seedUsers,
  signToken,
  startReference,
  startServer,
} from './lib.mjs';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
    db: {
      type: 'string',
      default: process.env.DATABASE_URL?.startsWith('mysql') ? 'mysql' : 'sqlite',
    },
    root: { type: 'string', multiple: true },
    'no-reference': { type: 'boolean', default: false },
    'full-lists': { type: 'boolean', default: false },
    snapshot: { type: 'boolean', default: false },
    events: { type: 'string', default: '0' },
    'profile-events': { type: 'boolean', default: false },
    'profile-join': { type: 'boolean', default: false },
  },
});
const N = Number(args.clients);
const ROUNDS = Number(args.rounds);
const EVENTS = Number(args.events);
const ROOTS = (args.root ?? ['.']).map((r) => resolve(r));
const SOURCES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...xs) => console.error(new Date().toISOString().slice(11, 19), ...xs);

/** Our server from `root`'s dist/, with an inspector on a port of its own. */
const startOurs = (root, dbUrl, inspectPort) =>
  startServer(
    { DATABASE_URL: dbUrl, JWT_SECRET: BENCH_JWT_SECRET, LOG_LEVEL: 'warn' },
    [`--inspect=127.0.0.1:${inspectPort}`],
    { root, stderr: 'ignore' },
  );

/** A Chrome DevTools Protocol session on a process's inspector. */
async function inspector(inspectPort) {
  const [{ webSocketDebuggerUrl }] = await (
    await fetch(`http://127.0.0.1:${inspectPort}/json/list`)
  ).json();
  const ws = new WebSocket(webSocketDebuggerUrl, { maxPayload: 2 ** 30 });
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  let next = 1;
  const pending = new Map();
  const listeners = new Map();
  ws.on('message', (raw) => {
    const msg = JSON.parse(raw.toString());
    if (msg.id) pending.get(msg.id)?.(msg);
    else listeners.get(msg.method)?.(msg.params);
  });
  const send = (method, params = {}) =>
    new Promise((r, j) => {
      const id = next++;
      pending.set(
        id,
        (m) => (pending.delete(id), m.error ? j(new Error(m.error.message)) : r(m.result)),
      );
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    send,
    on: (method, fn) => listeners.set(method, fn),
    close: () => ws.close(),
  };
}

/** process.memoryUsage() and the V8 heap spaces' committed sizes, as the server sees them. */
async function memory(cdp) {
  const { result } = await cdp.send('Runtime.evaluate', {
    returnByValue: true,
    expression: `(() => {
      const m = process.memoryUsage();
      const v8 = process.getBuiltinModule('v8');
      for (const s of v8.getHeapSpaceStatistics()) m[s.space_name] = s.space_size;
      return m;
    })()`,
  });
  return result.value;
}

async function heapUsed(cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return usedSize;
}

/** Counts and bytes per (type, name) in a heap snapshot. */
async function snapshotCounts(cdp) {
  let chunks = [];
  cdp.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => chunks.push(chunk));
  await cdp.send('HeapProfiler.enable');
  const scripts = (cdp.scripts ??= new Map());
  if (scripts.size === 0) {
    cdp.on('Debugger.scriptParsed', ({ scriptId, url }) => scripts.set(scriptId, url));
    await cdp.send('Debugger.enable');
  }
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  const snap = JSON.parse(chunks.join(''));
  chunks = null;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  // Closures are named by where their function was written (snapshot `locations`).
  const where = new Map();
  const loc = snap.snapshot.meta.location_fields ?? [];
  const lw = loc.length;
  for (let i = 0; lw && i < snap.locations.length; i += lw) {
    const script = scripts.get(String(snap.locations[i + 1])) ?? '?';
    where.set(
      snap.locations[i],
      `${script.replace(/^.*\/(node_modules|dist)\//, '')}:${snap.locations[i + 2] + 1}`,
    );
  }
  const out = new Map();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + iType]];
    let name = snap.strings[snap.nodes[i + iName]];
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string')
      name = '(string)';
    if (type === 'number') name = '(number)';
    if (type === 'closure') name = `${name || '(anon)'} @ ${where.get(i) ?? '?'}`;
    if (name.length > 90) name = '…' + name.slice(-90);
    const key = `${type}\t${name}`;
    const e = out.get(key) ?? { count: 0, bytes: 0 };
    e.count++;
    e.bytes += snap.nodes[i + iSize];
    out.set(key, e);
  }
  return out;
}

function diffCounts(before, after, n) {
  const rows = [];
  for (const [key, a] of after) {
    const b = before.get(key) ?? { count: 0, bytes: 0 };
    const count = (a.count - b.count) / n;
    const bytes = (a.bytes - b.bytes) / n;
    if (Math.abs(bytes) >= 4 || Math.abs(count) >= 0.5) rows.push({ key, count, bytes });
  }
  rows.sort((x, y) => y.bytes - x.bytes);
  const byType = {};
  for (const r of rows) {
    const t = r.key.split('\t')[0];
    byType[t] ??= { count: 0, bytes: 0 };
    byType[t].count += r.count;
    byType[t].bytes += r.bytes;
  }
  return { rows, byType };
}

/** A raw socket.io client (as bench/load-client.mjs's idle clients); resolves once connected. */
function rawConnect(url, token, localAddress, held) {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, {
      localAddress,
      perMessageDeflate: false,
    });
    const auth = args['full-lists'] ? { token } : { token, presence: 'changes' };
    let open = false;
    ws.on('message', (data) => {
      const b0 = data[0];
      if (b0 === 0x32 && data.length === 1) return ws.send('3');
      if (b0 === 0x30) return ws.send('40' + JSON.stringify(auth));
      if (b0 === 0x34 && !open) {
        open = data[1] === 0x30;
        resolve(open);
        if (!open) ws.terminate();
      }
    });
    ws.on('error', () => resolve(false));
    ws.on('close', () => resolve(false));
    held.push(ws);
  });
}

/**
 * Server CPU per handled event: every socket sends EVENTS `typing` notices to its own name
 * (guards, validation, the handler, which then sends nothing), the idle rate subtracted.
 */
async function cpuPerEvent(server, held, cdp) {
  await sleep(1000);
  let c = cpuMs(server.pid);
  let t = performance.now();
  await sleep(2000);
  const idlePerMs = (cpuMs(server.pid) - c) / (performance.now() - t);
  if (cdp) await cdp.send('Profiler.enable');
  if (cdp) await cdp.send('Profiler.start');
  c = cpuMs(server.pid);
  t = performance.now();
  for (let k = 0; k < EVENTS; k++) {
    held.forEach((ws, i) => ws.send(`42["typing",{"to":"u${i}"}]`));
    await sleep(10);
  }
  // Done once the server's CPU stops climbing.
  let last = cpuMs(server.pid);
  for (;;) {
    await sleep(300);
    const now = cpuMs(server.pid);
    if (now - last <= 300 * idlePerMs + 10) break;
    last = now;
  }
  const used = last - c - (performance.now() - t) * idlePerMs;
  if (cdp) printProfile((await cdp.send('Profiler.stop')).profile);
  return used / (EVENTS * held.length);
}

/** Bytes allocated per socket during the join, by function and by package (--profile-join). */
function printAllocations(label, opened, { head }) {
  const fns = new Map();
  const pkgs = new Map();
  let total = 0;
  const visit = (node, stack) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const self = node.selfSize;
    if (self) {
      total += self;
      const where = url.replace(/^.*\/(node_modules|dist)\//, '');
      const fn = `${functionName || '(anon)'} ${where}:${lineNumber + 1}`;
      fns.set(fn, (fns.get(fn) ?? 0) + self);
      // Charged to the nearest caller of ours, or else the package that allocated.
      const pkg =
        stack.find((u) => u.includes('/dist/src/'))?.replace(/^.*\/dist\//, '') ??
        /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
        (url || functionName);
      pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + self);
    }
    const next = url ? [url, ...stack] : stack;
    for (const child of node.children) visit(child, next);
  };
  visit(head, []);
  const top = (m, n) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `  ${(v / opened / 1024).toFixed(1).padStart(6)} KB  ${k}`);
  console.log(
    `${label}: ${(total / opened / 1024).toFixed(1)} KB allocated per join\n` +
      `by our nearest caller (or package):\n${top(pkgs, 20).join('\n')}\nby function:\n${top(fns, 25).join('\n')}`,
  );
}

/** Self time per function and per package (--profile-events), the top of each. */
function printProfile({ nodes, samples, timeDeltas }) {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const self = new Map();
  samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (timeDeltas[i] ?? 0)));
  const fns = new Map();
  const pkgs = new Map();
  let total = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    if (functionName === '(idle)') continue;
    total += us;
    const where = url.replace(/^.*\/(node_modules|dist)\//, '');
    const fn = `${functionName || '(anon)'} ${where}:${lineNumber + 1}`;
    fns.set(fn, (fns.get(fn) ?? 0) + us);
    const pkg =
      /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
      (url.includes('/dist/') ? 'ours' : url ? url.split('/')[0] || 'node' : functionName);
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + us);
  }
  const top = (m, n) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
  console.log(
    `profile: ${(total / 1000).toFixed(0)} ms of CPU\nby package:\n${top(pkgs, 15).join('\n')}\nby function:\n${top(fns, 30).join('\n')}`,
  );
}

/** RSS and heap per connection for one server. */
async function measure(label, server, cdp, tokens) {
  await sleep(1000);
  const heapBefore = await heapUsed(cdp);
  const rssBefore = rssBytes(server.pid);
  const memBefore = await memory(cdp);
  const snapBefore = args.snapshot ? await snapshotCounts(cdp) : null;
  const held = [];
  let opened = 0;
  if (args['profile-join']) {
    // Every allocation sampled, including what the GC has collected since: what a join churns.
    await cdp.send('HeapProfiler.enable');
    await cdp.send('HeapProfiler.startSampling', {
      samplingInterval: 32768,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }
  const cpu0 = cpuMs(server.pid);
  const t0 = performance.now();
  for (let at = 0; at < tokens.length; at += 500) {
    const batch = tokens.slice(at, at + 500);
    const ok = await Promise.all(
      batch.map((t, i) => rawConnect(server.url, t, SOURCES[(at + i) % SOURCES.length], held)),
    );
    opened += ok.filter(Boolean).length;
  }
  const joinMs = performance.now() - t0;
  await sleep(3000); // presence broadcasts and catch-ups settle
  const rssJoined = rssBytes(server.pid);
  const cpuJoin = cpuMs(server.pid) - cpu0;
  if (args['profile-join'])
    printAllocations(label, opened, (await cdp.send('HeapProfiler.stopSampling')).profile);
  const memJoined = await memory(cdp);
  const heapAfter = await heapUsed(cdp);
  const rssAfter = rssBytes(server.pid);
  const memAfter = await memory(cdp);
  const snapAfter = args.snapshot ? await snapshotCounts(cdp) : null;
  const result = {
    label,
    opened,
    joinMs,
    // Server CPU from the first connect until 3 s after the last (the online lists settle).
    cpuPerJoinMs: cpuJoin / opened,
    rssPerConnection: (rssJoined - rssBefore) / opened,
    rssAfterGcPerConnection: (rssAfter - rssBefore) / opened,
    heapPerConnection: (heapAfter - heapBefore) / opened,
    // Per socket, KB: what grew in each part of the process's memory, before and after a GC.
    parts: Object.fromEntries(
      Object.keys(memBefore).map((k) => [
        k,
        [
          +((memJoined[k] - memBefore[k]) / opened / 1024).toFixed(1),
          +((memAfter[k] - memBefore[k]) / opened / 1024).toFixed(1),
        ],
      ]),
    ),
    snapshot: args.snapshot ? diffCounts(snapBefore, snapAfter, opened) : undefined,
  };
  if (EVENTS && label !== 'reference')
    result.cpuPerEventMs = await cpuPerEvent(server, held, args['profile-events'] ? cdp : null);
  for (const ws of held) ws.terminate();
  return result;
}

async function runOurs(root, hash) {
  const db = await freshDatabase(args.db);
  const inspectPort = await freePort();
  const server = await startOurs(root, db.url, inspectPort);
  const cdp = await inspector(inspectPort);
  try {
    const names = Array.from({ length: N }, (_, i) => `u${i}`);
    const rows = await seedUsers(db.url, names, hash);
    const tokens = await Promise.all(rows.map((r) => signToken(r.id, r.name)));
    return await measure(root, server, cdp, tokens);
  } finally {
    cdp.close();
    await server.stop();
    await db.drop();
  }
}

async function runReference() {
  const inspectPort = await freePort();
  const server = await startReference([`--inspect=127.0.0.1:${inspectPort}`]);
  const cdp = await inspector(inspectPort);
  try {
    const tokens = await Promise.all(
      Array.from({ length: N }, (_, i) => signToken(i + 1, `u${i}`)),
    );
    return await measure('reference', server, cdp, tokens);
  } finally {
    cdp.close();
    await server.stop();
  }
}

const hash = await argon2.hash(BENCH_PASSWORD, { type: argon2.argon2id });
const targets = [...ROOTS.map((root) => () => runOurs(root, hash))];
if (!args['no-reference']) targets.push(runReference);
const results = new Map();
for (let round = 0; round < ROUNDS; round++) {
  // Alternate the order, so no build always runs on the machine in the same state.
  const order = round % 2 ? [...targets].reverse() : targets;
  for (const run of order) {
    const r = await run();
    log(
      `round ${round + 1}: ${r.label}: ${r.opened} sockets, join ${r.joinMs.toFixed(0)} ms, ` +
        `RSS ${(r.rssPerConnection / 1024).toFixed(1)} KB (after GC ${(r.rssAfterGcPerConnection / 1024).toFixed(1)}), ` +
        `heap ${(r.heapPerConnection / 1024).toFixed(2)} KB per socket, ` +
        `CPU ${r.cpuPerJoinMs.toFixed(2)} ms per join` +
        (r.cpuPerEventMs === undefined
          ? ''
          : `, CPU ${(r.cpuPerEventMs * 1000).toFixed(1)} µs per event`),
    );
    log(`  parts (KB per socket, joined / after GC): ${JSON.stringify(r.parts)}`);
    if (!results.has(r.label)) results.set(r.label, []);
    results.get(r.label).push(r);
    if (r.snapshot) {
      const { rows, byType } = r.snapshot;
      console.log(`\n${r.label}, round ${round + 1}: per socket, by type`);
      for (const [t, v] of Object.entries(byType).sort((a, b) => b[1].bytes - a[1].bytes))
        console.log(
          `  ${t.padEnd(22)} ${v.count.toFixed(1).padStart(7)} ${v.bytes.toFixed(0).padStart(7)} B`,
        );
      console.log('  top entries (type, name, count, bytes per socket):');
      for (const x of rows.slice(0, Number(process.env.ROWS ?? 45)))
        console.log(
          `  ${x.key.padEnd(100)} ${x.count.toFixed(2).padStart(7)} ${x.bytes.toFixed(0).padStart(6)}`,
        );
    }
  }
}
console.log('\nmedians per socket:');
for (const [label, rs] of results) {
  const m = (f) => median(rs.map(f));
  console.log(
    `${label}: RSS ${(m((r) => r.rssPerConnection) / 1024).toFixed(1)} KB, ` +
      `RSS after GC ${(m((r) => r.rssAfterGcPerConnection) / 1024).toFixed(1)} KB, ` +
      `heap ${(m((r) => r.heapPerConnection) / 1024).toFixed(2)} KB, join ${m((r) => r.joinMs).toFixed(0)} ms ` +
      `(CPU ${m((r) => r.cpuPerJoinMs).toFixed(2)} ms each), ` +
      (EVENTS && label !== 'reference'
        ? `CPU ${(m((r) => r.cpuPerEventMs) * 1000).toFixed(1)} µs per event `
        : '') +
      `(${rs.length} rounds, ${rs.map((r) => r.opened).join('/')} opened)`,
  );
}
