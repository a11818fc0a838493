// The Socket.IO connection (docs/protocol.md): the handshake's auth, and each event wired to the
// part of the page that handles it. Events: '0' error, '1' online list, '2' group chat,
// '3' private chat, 'history' (the catch-up after each connect, or asked for after 'resync'),
// 'typing' and 'presence'.
//
// The client is the ES module build of socket.io-client that the server serves from node_modules
// (app.ts, /vendor/socket.io/; the same version as the server), imported rather than loaded as a
// classic script that sets a global `io`: each module names what it uses, and nothing is global.
import { io } from '/vendor/socket.io/socket.io.esm.min.js';
import { getToken } from '../api.js';
import { errorText, t } from '../i18n.js';
import { ChatEvent, ErrorCode, PRESENCE_CHANGES } from '../protocol.js';
import { updateOnline } from './conversations.js';
import { dom, setStatus, showHint } from './dom.js';
import { model, seeId, text, validId } from './model.js';
import { forgetStored, receive } from './messages.js';
import { resendAll, reportError } from './outbox.js';
import { historyArrived } from './paging.js';
import { leave, session } from './session.js';
import { someoneTyping } from './typing.js';

/** Handshakes refused because the token is no good: sign in again. */
const SESSION_ENDED = [ErrorCode.Unauthorized, ErrorCode.TokenExpired];
/** Handshakes refused for now: the database is away, or the server is stopping. */
const UNAVAILABLE = [ErrorCode.ServiceUnavailable, ErrorCode.ServerRestarting];

/** This connection's catch-up is complete (its `done` page arrived). */
let caughtUp = false;
/** The lastId this connection's handshake carried (null: none, a fresh start). */
let catchUpFrom = null;
// The first connection's history is what happened before this page; later ones are what it
// missed while disconnected.
let historyIsMissed = false;
/** A `resync` came during a catch-up: ask for another from this id once it is done. */
let resyncFrom = null;

export function connect() {
  // auth as a function: every (re)connection sends the token kept right now and the last
  // message id seen, so that the server sends only what we missed.
  const socket = io({
    auth: (cb) => {
      const auth = { token: getToken() || '', presence: PRESENCE_CHANGES };
      if (model.lastId !== null) auth.lastId = model.lastId;
      catchUpFrom = model.lastId;
      caughtUp = false;
      // this connection's catch-up covers what a pending resync asked for
      resyncFrom = null;
      cb(auth);
    },
  });
  session.socket = socket;
  const stopped = () => session.leaving || session.loggingOut;

  socket.on('connect', () => {
    setStatus('connected');
    if (dom.hint.textContent === t('chat.queued')) showHint('');
    resendAll();
  });

  socket.on('connect_error', (err) => {
    if (stopped()) return;
    // A refusal by our server carries its code in `data` (src/chat/error-notice.ts, handshakeError); an
    // error of the transport (no answer, a proxy in the way) has none.
    const code = err && err.data && typeof err.data === 'object' ? err.data.code : undefined;
    if (SESSION_ENDED.includes(code)) {
      leave('notice.sessionExpired');
      return;
    }
    setStatus(UNAVAILABLE.includes(code) ? 'unavailable' : 'reconnecting');
    // Refused by the server for now (database away, server restarting, too many connections):
    // socket.io does not retry those by itself.
    if (!socket.active) setTimeout(() => !stopped() && socket.connect(), 2000);
  });

  socket.on('disconnect', (reason) => {
    historyIsMissed = true;
    caughtUp = false;
    if (stopped()) return;
    setStatus('reconnecting');
    // The server closed the socket (a restart, or a revoked token): join again. A revoked
    // token fails the handshake with 'unauthorized', which goes to the login page.
    if (reason === 'io server disconnect') socket.connect();
  });

  socket.on(ChatEvent.Error, (msg) => {
    const code = msg && msg.code;
    if (code === ErrorCode.TokenExpired) {
      leave('notice.sessionExpired');
      return;
    }
    const reason = text(msg && msg.data);
    reportError(code, errorText(code, reason));
  });

  socket.on(ChatEvent.GroupList, (msg) => {
    if (msg) updateOnline(msg.data);
  });

  socket.on(ChatEvent.Presence, (changes) => {
    if (!changes || typeof changes !== 'object') return;
    const gone = new Set(Array.isArray(changes.offline) ? changes.offline.map(text) : []);
    const came = Array.isArray(changes.online) ? changes.online : [];
    updateOnline([...model.online.filter((name) => !gone.has(name)), ...came]);
  });

  // The catch-up: pages of history, the last one with `done` and `until`.
  socket.on(ChatEvent.History, (msg) => {
    if (!msg || typeof msg !== 'object' || caughtUp) return;
    const list = Array.isArray(msg.data) ? msg.data : [];
    // Too long a gap since our lastId: the server sent the newest messages only. What we show
    // would have a hole; start again as on a fresh load (scrolling up pages back).
    if (msg.more === true && catchUpFrom !== null) {
      forgetStored();
      catchUpFrom = null;
    }
    // a reconnect's history holds what we missed: new to this page, like live messages
    const how = historyIsMissed ? 'live' : 'history';
    for (const item of list) receive(item, how);
    if (msg.done === false) return;
    caughtUp = true;
    seeId(validId(msg.until));
    historyArrived();
    if (resyncFrom !== null) askCatchUp(socket, resyncFrom);
  });

  // Cluster mode: Redis was away, messages delivered by other servers may not have reached us.
  // Ask for what was stored since (the server's id or ours, the smaller); what we already have is
  // dropped by id (receive). One catch-up at a time.
  socket.on(ChatEvent.Resync, (msg) => {
    const from = validId(msg && msg.lastId);
    if (from === null) return;
    if (!caughtUp) resyncFrom = resyncFrom === null ? from : Math.min(resyncFrom, from);
    else askCatchUp(socket, from);
  });

  socket.on(ChatEvent.GroupChat, (msg) => {
    if (!msg || typeof msg !== 'object') return;
    if (!msg.user) return; // the server's welcome line: the status shows we are connected
    if (caughtUp) seeId(validId(msg.id));
    receive(Object.assign({}, msg, { to: null }), 'live');
  });

  socket.on(ChatEvent.SingleChat, (msg) => {
    if (!msg || typeof msg !== 'object' || !msg.to) return;
    if (caughtUp) seeId(validId(msg.id));
    receive(msg, 'live');
  });

  socket.on(ChatEvent.Typing, someoneTyping);
}

/** A catch-up on request, answered by 'history' pages like the one after a connect. */
function askCatchUp(socket, from) {
  resyncFrom = null;
  if (model.lastId === null) return;
  const lastId = Math.min(model.lastId, from);
  catchUpFrom = lastId;
  caughtUp = false;
  historyIsMissed = true;
  socket.emit(ChatEvent.CatchUp, { lastId });
}
