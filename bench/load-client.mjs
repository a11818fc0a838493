// One load-generating process of bench/chat-bench.mjs (forked, driven over IPC). It holds its
// share of the clients, sends its share of the messages and records every arrival. Times are
// process.hrtime (CLOCK_MONOTONIC), the same clock in every process of the machine, so a
// latency is simply arrival time here minus the send time written into the message text.
import { io } from 'socket.io-client';
import WebSocket from 'ws';

const hrNow = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let clients = []; // socket.io clients: {name, socket, list, group, asRecipient, asSender}
let raw = []; // raw WebSocket idle clients
const group = { latencies: [], received: 0 };
const priv = { latencies: [], received: 0, misrouted: 0, misroutedExamples: [] };
const outcome = () => ({ sent: 0, acked: 0, refused: 0, ackTimeouts: 0, refusals: {} });

function newClient(url, { name, token }, localAddress) {
  const socket = io(url, {
    // as our page does: the whole online list once, then changes only
    auth: { token, presence: 'changes' },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: 120000,
    localAddress,
  });
  const c = { name, socket, list: null, group: 0, asRecipient: 0, asSender: 0, connected: false };
  socket.on('1', (m) => (c.list = new Set(m?.data)));
  socket.on('presence', ({ online, offline }) => {
    c.list ??= new Set();
    for (const name of offline) c.list.delete(name);
    for (const name of online) c.list.add(name);
  });
  socket.on('2', (m) => {
    if (!m || m.user === '') return; // the welcome line
    const t = hrNow();
    group.received++;
    c.group++;
    group.latencies.push(t - Number(m.data.slice(0, m.data.indexOf('|'))));
  });
  socket.on('3', (m) => {
    const t = hrNow();
    priv.received++;
    const [sent, from, to] = m.data.split('|');
    if (m.user !== from || m.to !== to || (c.name !== from && c.name !== to)) {
      priv.misrouted++;
      if (priv.misroutedExamples.length < 5)
        priv.misroutedExamples.push({ at: c.name, user: m.user, to: m.to, data: m.data });
      return;
    }
    if (c.name === to) {
      c.asRecipient++;
      priv.latencies.push(t - Number(sent));
    }
    if (c.name === from) c.asSender++;
  });
  return c;
}

async function connect({ url, clients: list, sourceAddresses, expectList, allNames, timeoutMs }) {
  const started = hrNow();
  const errors = {};
  let failed = 0;
  let lastConnectedAt = started;
  clients = list.map((spec, i) =>
    newClient(url, spec, sourceAddresses[i % sourceAddresses.length]),
  );
  for (const c of clients) {
    c.socket.once('connect', () => ((c.connected = true), (lastConnectedAt = hrNow())));
    c.socket.once('connect_error', (e) => {
      failed++;
      errors[e.message] = (errors[e.message] ?? 0) + 1;
    });
  }
  const full = (c) => !expectList || c.list?.size === expectList;
  let doneAt = null;
  while (hrNow() - started < timeoutMs) {
    const connected = clients.filter((c) => c.connected).length;
    if (connected + failed === clients.length && clients.every((c) => !c.connected || full(c))) {
      doneAt = hrNow();
      break;
    }
    await sleep(5);
  }
  let completeLists = 0;
  if (expectList) {
    const names = new Set(allNames);
    for (const c of clients) {
      const l = c.list;
      if (l?.size === names.size && [...l].every((n) => names.has(n))) completeLists++;
    }
  }
  return {
    connected: clients.filter((c) => c.connected).length,
    failed,
    errors,
    doneAt,
    lastConnectedAt,
    completeLists,
  };
}

/** Sends `total` messages spread evenly over `durationMs`, starting at `startAt` (hr ms). */
async function paced(total, durationMs, startAt, sendOne) {
  while (hrNow() < startAt) await sleep(Math.min(20, startAt - hrNow()));
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((hrNow() - startAt) * total) / durationMs) + 1);
    while (sent < due) sendOne(sent++);
    await sleep(Math.max(1, (sent * durationMs) / total - (hrNow() - startAt)));
  }
}

function emitCounted(out, socket, event, payload) {
  out.sent++;
  return new Promise((resolve) => {
    socket.timeout(30000).emit(event, payload, (err, ack) => {
      if (err) out.ackTimeouts++;
      else if (ack?.status === 1) out.acked++;
      else {
        out.refused++;
        out.refusals[ack?.msg] = (out.refusals[ack?.msg] ?? 0) + 1;
      }
      resolve();
    });
  });
}

async function sendGroup({ total, durationMs, startAt, proc }) {
  const out = outcome();
  const live = clients.filter((c) => c.connected);
  const acks = [];
  await paced(total, durationMs, startAt, (i) => {
    const c = live[i % live.length];
    acks.push(emitCounted(out, c.socket, '2', { data: `${hrNow().toFixed(3)}|g|${proc}|${i}` }));
  });
  await Promise.all(acks);
  return out;
}

async function sendPrivate({ total, durationMs, startAt, proc, allNames }) {
  const out = outcome();
  const sentTo = {};
  const sentBy = {};
  const live = clients.filter((c) => c.connected);
  const acks = [];
  await paced(total, durationMs, startAt, (i) => {
    const c = live[Math.floor(Math.random() * live.length)];
    let to;
    do to = allNames[Math.floor(Math.random() * allNames.length)];
    while (to === c.name);
    sentTo[to] = (sentTo[to] ?? 0) + 1;
    sentBy[c.name] = (sentBy[c.name] ?? 0) + 1;
    const data = `${hrNow().toFixed(3)}|${c.name}|${to}|${proc}-${i}`;
    acks.push(emitCounted(out, c.socket, '3', { data, to }));
  });
  await Promise.all(acks);
  return { ...out, sentTo, sentBy };
}

function stats() {
  return { group: group.received, private: priv.received };
}

function collect() {
  const result = {
    group: { latencies: Float64Array.from(group.latencies), received: group.received },
    private: {
      latencies: Float64Array.from(priv.latencies),
      received: priv.received,
      misrouted: priv.misrouted,
      misroutedExamples: priv.misroutedExamples,
    },
    perClient: clients.map((c) => ({
      name: c.name,
      connected: c.connected,
      group: c.group,
      asRecipient: c.asRecipient,
      asSender: c.asSender,
    })),
  };
  return result;
}

/** Forgets every arrival so far (capacity steps), keeping the clients connected. */
function reset() {
  for (const c of clients) Object.assign(c, { group: 0, asRecipient: 0, asSender: 0 });
  group.latencies = [];
  group.received = 0;
  Object.assign(priv, { latencies: [], received: 0, misrouted: 0, misroutedExamples: [] });
  return { reset: true };
}

async function close() {
  for (const c of clients) c.socket.disconnect();
  for (const w of raw) w.ws.terminate();
  clients = [];
  raw = [];
  group.latencies = [];
  group.received = 0;
  Object.assign(priv, { latencies: [], received: 0, misrouted: 0, misroutedExamples: [] });
  await sleep(200);
  return { closed: true };
}

/**
 * A minimal socket.io client for the idle test: the engine.io handshake, the socket.io connect
 * packet with the token, pongs, and nothing else parsed (the online list and the presence changes
 * it receives are not even turned into strings), so thousands of idle clients cost this process
 * very little. It asks for presence changes as our page does (`wholeLists`: it does not, and
 * takes the whole list on every change, as the benchmark's idle clients did before).
 */
function rawConnect(url, token, localAddress, auth) {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, {
      localAddress,
      perMessageDeflate: false,
    });
    const entry = { ws, open: false };
    let settled = false;
    const settle = (error) => {
      if (settled) return;
      settled = true;
      resolve(error ? { error } : { entry });
    };
    ws.on('message', (data) => {
      const b0 = data[0];
      if (b0 === 0x32 && data.length === 1) return ws.send('3'); // ping -> pong
      if (b0 === 0x30) return ws.send('40' + JSON.stringify({ token, ...auth })); // engine.io open
      if (b0 === 0x34 && !entry.open) {
        if (data[1] === 0x30) {
          entry.open = true;
          settle();
        } else if (data[1] === 0x34) {
          settle(JSON.parse(data.toString().slice(2)).message ?? 'connect_error');
          ws.terminate();
        }
      }
    });
    ws.on('error', (e) => settle(e.code ?? e.message));
    ws.on('close', () => {
      entry.open = false;
      settle('closed');
    });
    setTimeout(() => settle('timeout'), 60000).unref();
    raw.push(entry);
  });
}

async function idleConnect({ url, clients: list, sourceAddresses, offset, wholeLists }) {
  const auth = wholeLists ? {} : { presence: 'changes' };
  const results = await Promise.all(
    list.map((c, i) =>
      rawConnect(url, c.token, sourceAddresses[(offset + i) % sourceAddresses.length], auth),
    ),
  );
  const errors = {};
  for (const r of results) if (r.error) errors[r.error] = (errors[r.error] ?? 0) + 1;
  return { opened: results.filter((r) => !r.error).length, errors };
}

const handlers = {
  connect,
  group: sendGroup,
  private: sendPrivate,
  stats,
  collect,
  reset,
  close,
  idleConnect,
  idleCount: () => ({ open: raw.filter((r) => r.open).length }),
};

process.on('message', async ({ id, cmd, ...args }) => {
  try {
    process.send({ id, ok: true, result: await handlers[cmd](args) });
  } catch (error) {
    process.send({ id, ok: false, error: String(error?.stack ?? error) });
  }
});
process.on('disconnect', () => process.exit(0));
