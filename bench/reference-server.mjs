// The bare socket.io reference the chat benchmark compares our server with: the same socket.io
// version (from node_modules), a JWT checked at the handshake (same secret, HS256, iss/aud
// 'nest-chat'), one room per user, events '2' (to everyone) and '3' (to the recipient's and the
// sender's rooms) relayed at once with an acknowledgement if one is asked for. No database, no
// presence, no history, no validation beyond "text is a string".
//
// STORE=1 (with DATABASE_URL, sqlite:<file> or mysql://...): the storing reference, the floor for
// a server that stores first. Every message is queued; one multi-row INSERT per batch (whatever
// arrived while the previous INSERT ran) writes it into a table of its own, with our server's
// durability (SQLite: WAL, synchronous=FULL; MariaDB: InnoDB's commit), and only once that INSERT
// has committed is the message emitted and acknowledged.
//
//   PORT=3001 JWT_SECRET=... [STORE=1 DATABASE_URL=...] node bench/reference-server.mjs
import { createSecretKey } from 'node:crypto';
import { createServer } from 'node:http';
import jwt from 'jsonwebtoken';
import { Server } from 'socket.io';

const secret = process.env.JWT_SECRET;
if (!secret || secret.length < 32) throw new Error('JWT_SECRET (32+ characters) is required');
// A key object made once, as our server does: given a string, jsonwebtoken builds one per verify.
const key = createSecretKey(Buffer.from(secret));

const store = process.env.STORE === '1' ? await openStore(process.env.DATABASE_URL) : null;

const http = createServer((req, res) => res.writeHead(404).end());
const io = new Server(http, { maxHttpBufferSize: 64 * 1024 });

io.use((socket, next) => {
  try {
    const claims = jwt.verify(String(socket.handshake.auth?.token ?? ''), key, {
      algorithms: ['HS256'],
      issuer: 'nest-chat',
      audience: 'nest-chat',
      clockTolerance: 5,
    });
    if (typeof claims.data !== 'string') throw new Error('no name');
    socket.data.user = claims.data;
    next();
  } catch {
    next(new Error('unauthorized'));
  }
});

io.on('connection', (socket) => {
  const user = socket.data.user;
  socket.join('user:' + user);
  socket.on('2', (body, ack) => {
    if (typeof body?.data !== 'string' || body.data === '') {
      if (typeof ack === 'function') ack({ status: 0, msg: 'empty' });
      return;
    }
    const ts = Date.now();
    const deliver = () => {
      io.emit('2', { user, data: body.data, ts });
      if (typeof ack === 'function') ack({ status: 1, ts });
    };
    if (store) store.add([user, null, body.data, ts], deliver);
    else deliver();
  });
  socket.on('3', (body, ack) => {
    if (typeof body?.data !== 'string' || typeof body?.to !== 'string') {
      if (typeof ack === 'function') ack({ status: 0, msg: 'bad message' });
      return;
    }
    const ts = Date.now();
    const deliver = () => {
      io.to(['user:' + body.to, 'user:' + user]).emit('3', {
        user,
        data: body.data,
        to: body.to,
        ts,
      });
      if (typeof ack === 'function') ack({ status: 1, ts });
    };
    if (store) store.add([user, body.to, body.data, ts], deliver);
    else deliver();
  });
});

http.listen(Number(process.env.PORT ?? 3001), process.env.HOST ?? '127.0.0.1', () => {
  process.send?.('ready');
});
process.on('SIGTERM', () => {
  io.close();
  process.exit(0);
});

/**
 * The message store: `add(row, then)` queues a row [sender, recipient, text, ts]; `then` runs once
 * the INSERT holding it has committed. One INSERT at a time; what arrives meanwhile is the next
 * batch. (A failed INSERT ends the process: the benchmark counts the losses.)
 */
async function openStore(url) {
  const MAX_ROWS = 1000; // 4,000 parameters: under SQLite's and MariaDB's limits
  const table = `CREATE TABLE IF NOT EXISTS ref_message (
    id INTEGER PRIMARY KEY AUTO_INCREMENT, sender VARCHAR(64) NOT NULL, recipient VARCHAR(64),
    text TEXT NOT NULL, ts BIGINT NOT NULL)`;
  const sql = (n) =>
    'INSERT INTO ref_message (sender, recipient, text, ts) VALUES ' +
    Array.from({ length: n }, () => '(?, ?, ?, ?)').join(', ');
  let insert; // (rows) => Promise<void>, the rows committed when it resolves
  if (url?.startsWith('sqlite:')) {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(url.slice('sqlite:'.length));
    // As src/database/data-source-options.ts: synchronous=FULL set before WAL mode.
    db.pragma('synchronous = FULL');
    db.pragma('journal_mode = WAL');
    db.exec(table.replace('AUTO_INCREMENT', 'AUTOINCREMENT'));
    const statements = new Map();
    insert = async (rows) => {
      let statement = statements.get(rows.length);
      if (!statement) statements.set(rows.length, (statement = db.prepare(sql(rows.length))));
      statement.run(rows.flat());
    };
  } else if (url?.startsWith('mysql')) {
    const { default: mysql } = await import('mysql2/promise');
    const db = await mysql.createConnection({ uri: url, charset: 'utf8mb4_bin' });
    await db.query(table + ' CHARACTER SET utf8mb4');
    insert = async (rows) => {
      await db.query('INSERT INTO ref_message (sender, recipient, text, ts) VALUES ?', [rows]);
    };
  } else throw new Error('STORE=1 needs DATABASE_URL (sqlite:<file> or mysql://...)');

  let queue = [];
  let writing = false;
  const flush = async () => {
    writing = true;
    while (queue.length) {
      const batch = queue.slice(0, MAX_ROWS);
      queue = queue.slice(batch.length);
      try {
        await insert(batch.map((b) => b.row));
      } catch (error) {
        console.error('reference store:', error);
        process.exit(1);
      }
      for (const b of batch) b.then();
    }
    writing = false;
  };
  return {
    add(row, then) {
      queue.push({ row, then });
      // SQLite's INSERT blocks the thread, so "meanwhile" is the rest of this turn of the loop.
      if (!writing) {
        writing = true;
        setImmediate(flush);
      }
    },
  };
}
