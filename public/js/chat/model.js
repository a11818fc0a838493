// The conversations and their messages, as data (render.js shows them). Every message lives in
// one conversation, the group (GROUP) or the private one with a peer. Records are kept in id
// order and deduplicated by id; a message we send gets a client id (cid), shows at once as
// pending and is matched to its stored copy by that cid. No DOM and no browser globals here, so
// that test/page-protocol.spec.ts can hold newCid() to the server's rule in Node.
import { GROUP } from '../protocol.js';

export const model = {
  /** Our user name, once GET /userinfo has said it. */
  me: '',
  /** The conversation shown in #chatArea (set before the socket connects). */
  current: null,
  /** Who is online, us first, then by name. */
  online: [],
  /**
   * Sent again on reconnect: every message up to this id has reached the page. It moves to a
   * catch-up's `until` only with its last page (`done`), then with each live message (they come
   * in id order), never during a catch-up: a drop then makes the next one start from here again.
   */
  lastId: null,
};

/** key (GROUP or a peer's name) → conversation */
export const conversations = new Map();
/** message id → record */
export const byId = new Map();
/** cid → record, for the messages this page sent */
export const byCid = new Map();

let seq = 0;
/** Insertion order, to break ties between records with the same sort key. */
export function nextSeq() {
  return seq++;
}

/** A new, empty conversation, filed under its key. */
export function addConversation(key) {
  const conv = {
    key,
    group: key === GROUP,
    items: [], // records in display order (see compare())
    unread: 0,
    exhausted: false, // GET /messages said there is nothing older
    loadingOlder: false,
    scrollTop: null, // where the reader left it; null = at the bottom
    typing: new Map(), // user → timer
    el: null,
  };
  conversations.set(key, conv);
  return conv;
}

/** Any value of a payload as text (what the server sends is not trusted to be a string). */
export function text(value) {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A message id from the wire, or null when it is not one. */
export function validId(value) {
  const id = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : null;
}

export function seeId(id) {
  if (id !== null && (model.lastId === null || id > model.lastId)) model.lastId = id;
}

/** A client message id: a UUID, or 32 random hex digits. */
export function newCid() {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const bytes = new Uint8Array(16);
  if (c && typeof c.getRandomValues === 'function') c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The conversation a stored or live message belongs to. */
export function keyOf(msg) {
  if (msg.to === null || msg.to === undefined || msg.to === '') return GROUP;
  const sender = text(msg.user);
  return sender === model.me ? text(msg.to) : sender;
}

// Sort keys: a stored message by its id; a notice just after the messages known when it was
// shown; a message still waiting for its id after everything.
function sortKey(rec) {
  if (rec.id !== null) return rec.id;
  if (rec.kind === 'notice') return rec.after + 0.5;
  return Infinity;
}

function compare(a, b) {
  const ka = sortKey(a);
  const kb = sortKey(b);
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a.seq - b.seq;
}

/**
 * Files the record in its conversation's order (moving it if it was there already); returns the
 * record now after it, or null when it is the last.
 */
export function file(conv, rec) {
  const items = conv.items;
  const old = items.indexOf(rec);
  if (old !== -1) items.splice(old, 1);
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compare(items[mid], rec) < 0) lo = mid + 1;
    else hi = mid;
  }
  items.splice(lo, 0, rec);
  rec.conv = conv;
  return items[lo + 1] || null;
}

/** Takes the record out of its conversation. */
export function unfile(rec) {
  if (!rec.conv) return;
  const i = rec.conv.items.indexOf(rec);
  if (i !== -1) rec.conv.items.splice(i, 1);
}

/** When the conversation last had a message (for the sidebar's order). */
export function lastActivity(conv) {
  for (let i = conv.items.length - 1; i >= 0; i--) {
    const rec = conv.items[i];
    if (rec.kind === 'message') return rec.ts || 0;
  }
  return 0;
}

/** The id of the conversation's oldest stored message (GET /messages pages back from it). */
export function oldestId(conv) {
  for (const rec of conv.items) if (rec.id !== null) return rec.id;
  return null;
}

export function totalUnread() {
  let total = 0;
  for (const conv of conversations.values()) total += conv.unread;
  return total;
}
