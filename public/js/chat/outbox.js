// Sending: the outbox holds our unacknowledged messages in the order they were typed. A refusal
// with `retry: true` (database away, server restarting, rate limited) keeps the message, shown as
// "waiting to resend…", and the outbox is sent again with the same cids after a backoff (2 s,
// doubling, at most 15 s) and at once after every reconnect; the server stores each cid once.
// While refusals last, only the oldest message is tried (a probe); once one is stored the rest
// follow, in order. A refusal without `retry` is final: "Not sent: <reason>".
import { errorText } from '../i18n.js';
import { ChatEvent, ErrorCode, GROUP } from '../protocol.js';
import { conversation } from './conversations.js';
import { isNearBottom, scrollToBottom } from './dom.js';
import { byCid, byId, model, newCid, nextSeq, text, unfile, validId } from './model.js';
import { addNotice, messageElement, place, renderState, setTime } from './render.js';
import { connected, session } from './session.js';

export const RETRY_FIRST_MS = 2000; // first wait before sending refused messages again
export const RETRY_MAX_MS = 15000; // the wait doubles up to this
const MAX_IN_FLIGHT = 20; // unacknowledged sends at a time (the server limits events per second)

/** Records sent by this page and not acknowledged yet, oldest first. */
const outbox = [];
/** Sending again after refusals with `retry: true`: the timer, the next wait, probing mode. */
let retryTimer = null;
let retryDelay = RETRY_FIRST_MS;
let probing = false;

/** A message typed here, for the conversation with this key. */
export function sendMessage(value, key) {
  const cid = newCid();
  const rec = {
    kind: 'message',
    id: null,
    cid,
    seq: nextSeq(),
    user: model.me,
    to: key === GROUP ? null : key,
    data: value,
    ts: Date.now(),
    mine: true,
    state: 'pending',
    unread: false,
  };
  messageElement(rec);
  byCid.set(cid, rec);
  outbox.push(rec);
  place(conversation(key), rec);
  scrollToBottom();
  // Behind messages waiting to be sent again it waits its turn (it must not overtake them);
  // sending it tries the oldest one at once: a single event, however fast one types.
  sendOutbox();
}

/**
 * A new connection: what was sent and never acknowledged goes again, at once and with the same
 * cid (the server stores it once); answers to the sends over the old connection never come.
 */
export function resendAll() {
  stopRetrying();
  for (const rec of outbox) {
    rec.inFlight = false;
    rec.attempt = (rec.attempt || 0) + 1;
  }
  sendOutbox();
}

/**
 * Sends the outbox, oldest first: whatever is not on its way already, up to MAX_IN_FLIGHT
 * unacknowledged sends, or only one while the server refuses for now (the oldest is the probe).
 */
function sendOutbox() {
  if (!connected()) return;
  const limit = probing ? 1 : MAX_IN_FLIGHT;
  let inFlight = outbox.filter((rec) => rec.inFlight).length;
  for (const rec of outbox.slice()) {
    if (inFlight >= limit) break;
    if (rec.inFlight) continue;
    emitRecord(rec);
    inFlight += 1;
  }
}

function scheduleRetry() {
  if (retryTimer !== null) return;
  const wait = retryDelay;
  retryDelay = Math.min(RETRY_MAX_MS, retryDelay * 2);
  retryTimer = setTimeout(() => {
    retryTimer = null;
    sendOutbox();
  }, wait);
}

/** The server accepts again (a message stored, or a new connection): no more waiting. */
function stopRetrying() {
  clearTimeout(retryTimer);
  retryTimer = null;
  retryDelay = RETRY_FIRST_MS;
  probing = false;
}

function emitRecord(rec) {
  if (!connected()) return;
  const payload =
    rec.to === null
      ? { data: rec.data, cid: rec.cid }
      : { data: rec.data, to: rec.to, cid: rec.cid };
  rec.inFlight = true;
  const attempt = (rec.attempt = (rec.attempt || 0) + 1);
  const event = rec.to === null ? ChatEvent.GroupChat : ChatEvent.SingleChat;
  session.socket.emit(event, payload, (ack) => {
    if (!ack || typeof ack !== 'object') return;
    if (ack.status === 1) {
      const id = validId(ack.id);
      if (id !== null) {
        const other = byId.get(id);
        if (other && other !== rec) {
          drop(rec); // already shown through another path
          return;
        }
        confirm(rec, id, ack.ts);
      }
      return;
    }
    if (ack.status !== 0) return;
    const reason = errorText(ack.code, text(ack.msg));
    if (attempt !== rec.attempt) return; // an earlier send's answer: the latest one decides
    rec.inFlight = false;
    if (ack.retry === true) {
      // event '0' carries the same reason: the marker on the message is enough
      refusedReasons.push({ reason, at: Date.now() });
      refusedForNow(rec, reason);
      return;
    }
    refusedReasons.push({ reason, at: Date.now() });
    fail(rec, reason);
  });
}

/** A message we sent is stored: it has its id now. */
export function confirm(rec, id, ts) {
  if (rec.id !== null) return;
  rec.id = id;
  if (ts !== undefined) {
    rec.ts = ts;
    setTime(rec.timeEl, ts);
  }
  rec.state = 'stored';
  rec.inFlight = false;
  byId.set(id, rec);
  const at = outbox.indexOf(rec);
  if (at !== -1) outbox.splice(at, 1);
  renderState(rec);
  const stick = rec.conv === model.current && isNearBottom();
  place(rec.conv, rec); // into id order
  if (stick) scrollToBottom();
  // the server stores again: what waits behind it goes now
  if (probing) stopRetrying();
  sendOutbox();
}

function drop(rec) {
  rec.inFlight = false;
  const at = outbox.indexOf(rec);
  if (at !== -1) outbox.splice(at, 1);
  unfile(rec);
  rec.el.remove();
  sendOutbox();
}

function fail(rec, reason) {
  if (rec.id !== null) return;
  rec.state = 'failed';
  rec.error = reason;
  rec.inFlight = false;
  const at = outbox.indexOf(rec);
  if (at !== -1) outbox.splice(at, 1);
  renderState(rec);
  sendOutbox();
}

/** Refused for now (`retry: true`): keep it, say so quietly, and send it again later. */
function refusedForNow(rec, reason) {
  if (rec.id !== null || rec.state === 'failed' || outbox.indexOf(rec) === -1) return;
  rec.state = 'retrying';
  rec.retryReason = reason;
  renderState(rec);
  probing = true;
  scheduleRetry();
}

// Event '0' also answers a refused send whose acknowledgement shows the reason on the message
// itself; such a reason is not repeated as a notice. `shown`: the reason in the page's words.
const refusedReasons = [];

/** Event '0': shown as a notice unless the outbox says it already (or the status line does). */
export function reportError(code, shown) {
  // told to every socket as the server stops: the status line says it already
  if (code === ErrorCode.ServerRestarting) return;
  setTimeout(() => {
    // the reason a message waiting to be sent again was refused: its marker says it already
    if (outbox.some((rec) => rec.state === 'retrying' && rec.retryReason === shown)) return;
    const now = Date.now();
    while (refusedReasons.length && now - refusedReasons[0].at > 2000) refusedReasons.shift();
    const at = refusedReasons.findIndex((r) => r.reason === shown);
    if (at !== -1) {
      refusedReasons.splice(at, 1);
      return;
    }
    addNotice('error', shown);
  }, 300);
}
