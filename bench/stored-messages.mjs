// Throughput of stored, acknowledged group messages, with batching (the default) and without
// (MESSAGE_BATCH_MAX=1: one INSERT round trip per message), measured in the same run.
//
//   npm run bench -- [--db sqlite|mysql] [--senders 20] [--messages 5000] [--runs 3]
//
// Each run starts a fresh server process on a fresh database, connects the senders, and has them
// send `messages` group messages in total as fast as acknowledgements allow (each sender keeps
// `window` messages in flight). Reported: messages per second from the first send to the last
// acknowledgement, median of the runs, and the ratio batched / unbatched.
import { parseArgs } from 'node:util';
import { io } from 'socket.io-client';
import { freshDatabase, median, register, startServer } from './lib.mjs';

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

async function run(env) {
  const db = await freshDatabase(args.db);
  const server = await startServer({ DATABASE_URL: db.url, ...env });
  const sockets = [];
  for (let i = 0; i < SENDERS; i++) {
    const s = io(server.url, {
      auth: { token: await register(server.url, `sender${i}`) },
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
