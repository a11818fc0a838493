// Throughput of stored, acknowledged group messages, with batching (the default) and without
// (MESSAGE_BATCH_MAX=1: one INSERT round trip per message), measured in the same run.
//
//   npm run bench -- [--db sqlite|mysql] [--senders 20] [--messages 5000] [--runs 3]
//
// Each run starts a fresh server process on a fresh database, connects the senders, and has them
// send `messages` group messages in total as fast as acknowledgements allow (each sender keeps
// `window` messages in flight). Reported: messages per second from the first send to the last
// acknowledgement, median of the runs, and the ratio batched / unbatched.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { io } from 'socket.io-client';

const { values: args } = parseArgs({
  options: {
    db: {
      type: 'string',
      default: process.env.DATABASE_URL?.startsWith('mysql') ? 'mysql' : 'sqlite',
    },
    senders: { type: 'string', default: '20' },
    messages: { type: 'string', default: '5000' },
    window: { type: 'string', default: '50' },
    runs: { type: 'string', default: '3' },
  },
});
const SENDERS = Number(args.senders);
const MESSAGES = Number(args.messages);
const WINDOW = Number(args.window);
const RUNS = Number(args.runs);
const MYSQL_BASE = process.env.DATABASE_URL?.startsWith('mysql')
  ? process.env.DATABASE_URL
  : 'mysql://root@127.0.0.1:3306/chat';

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function freshDatabase() {
  if (args.db === 'sqlite') {
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

async function startServer(env) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-bench-data-'));
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
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
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function token(url, name) {
  const res = await fetch(`${url}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: name, password: 'bench-password' }),
  });
  return res.headers.get('authorization');
}

async function run(env) {
  const db = await freshDatabase();
  const server = await startServer({ DATABASE_URL: db.url, ...env });
  const sockets = [];
  for (let i = 0; i < SENDERS; i++) {
    const s = io(server.url, {
      auth: { token: await token(server.url, `sender${i}`) },
      transports: ['websocket'],
    });
    await new Promise(
      (resolve, reject) => (s.once('connect', resolve), s.once('connect_error', reject)),
    );
    sockets.push(s);
  }
  const perSender = Math.ceil(MESSAGES / SENDERS);
  const started = performance.now();
  await Promise.all(
    sockets.map(async (socket, n) => {
      let sent = 0;
      const lane = async () => {
        while (sent < perSender) {
          const i = sent++;
          const ack = await socket
            .timeout(30000)
            .emitWithAck('2', { data: `bench ${n}-${i}`, cid: `b${n}-${i}` });
          if (ack.status !== 1) throw new Error(`refused: ${ack.msg}`);
        }
      };
      await Promise.all(Array.from({ length: WINDOW }, lane));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  sockets.forEach((s) => s.close());
  await server.stop();
  await db.drop();
  return (perSender * SENDERS) / seconds;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { batched: [], unbatched: [] };
for (let r = 0; r < RUNS; r++) {
  // Alternate, so that neither mode always runs on a warmer machine.
  results.batched.push(await run({}));
  results.unbatched.push(await run({ MESSAGE_BATCH_MAX: '1' }));
}
const b = median(results.batched);
const u = median(results.unbatched);
console.log(
  JSON.stringify(
    {
      benchmark: 'stored group messages, acknowledged',
      database: args.db,
      senders: SENDERS,
      messages: SENDERS * Math.ceil(MESSAGES / SENDERS),
      inFlightPerSender: WINDOW,
      runs: RUNS,
      batchedMsgPerSec: Math.round(b),
      unbatchedMsgPerSec: Math.round(u),
      ratio: Number((b / u).toFixed(2)),
      allRuns: {
        batched: results.batched.map(Math.round),
        unbatched: results.unbatched.map(Math.round),
      },
    },
    null,
    2,
  ),
);
