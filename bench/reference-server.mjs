// The bare socket.io reference the chat benchmark compares our server with: the same socket.io
// version (from node_modules), a JWT checked at the handshake (same secret, HS256, iss/aud
// 'nest-chat'), one room per user, events '2' (to everyone) and '3' (to the recipient's and the
// sender's rooms) relayed at once with an acknowledgement if one is asked for. No database, no
// presence, no history, no validation beyond "text is a string".
//
//   PORT=3001 JWT_SECRET=... node bench/reference-server.mjs
import { createSecretKey } from 'node:crypto';
import { createServer } from 'node:http';
import jwt from 'jsonwebtoken';
import { Server } from 'socket.io';

const secret = process.env.JWT_SECRET;
if (!secret || secret.length < 32) throw new Error('JWT_SECRET (32+ characters) is required');
// A key object made once, as our server does: given a string, jsonwebtoken builds one per verify.
const key = createSecretKey(Buffer.from(secret));

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
    io.emit('2', { user, data: body.data, ts });
    if (typeof ack === 'function') ack({ status: 1, ts });
  });
  socket.on('3', (body, ack) => {
    if (typeof body?.data !== 'string' || typeof body?.to !== 'string') {
      if (typeof ack === 'function') ack({ status: 0, msg: 'bad message' });
      return;
    }
    const ts = Date.now();
    io.to(['user:' + body.to, 'user:' + user]).emit('3', {
      user,
      data: body.data,
      to: body.to,
      ts,
    });
    if (typeof ack === 'function') ack({ status: 1, ts });
  });
});

http.listen(Number(process.env.PORT ?? 3001), process.env.HOST ?? '127.0.0.1', () => {
  process.send?.('ready');
});
process.on('SIGTERM', () => {
  io.close();
  process.exit(0);
});
