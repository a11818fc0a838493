// Messages and notices on screen: their elements, their pending / waiting / failed / unread
// decorations, and their place in #chatArea, which shows the current conversation.
import { t } from '../i18n.js';
import { dom, scrollToBottom } from './dom.js';
import { file, model, nextSeq, text } from './model.js';

function toDate(ts) {
  let value = ts;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    value = Number(value);
  }
  let date = null;
  if (typeof value === 'number' && Number.isFinite(value)) {
    date = new Date(value < 1e12 ? value * 1000 : value); // seconds or milliseconds
  } else if (typeof value === 'string' && value) {
    date = new Date(value);
  }
  return date && !Number.isNaN(date.getTime()) ? date : new Date();
}

export function setTime(time, ts) {
  const date = toDate(ts);
  time.dateTime = date.toISOString();
  time.title = date.toLocaleString();
  time.textContent =
    String(date.getHours()).padStart(2, '0') + ':' + String(date.getMinutes()).padStart(2, '0');
}

function timeElement(ts) {
  const time = document.createElement('time');
  time.className = 'msg-time';
  setTime(time, ts);
  return time;
}

function hueClass(name) {
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return 'hue-' + (hash % 8);
}

/** A person's initial in a colour of their own, or '#' for the group. */
export function avatar(name, group) {
  const span = document.createElement('span');
  span.className = 'avatar ' + (group ? 'avatar-group' : hueClass(name));
  span.setAttribute('aria-hidden', 'true');
  span.textContent = group ? '#' : (Array.from(name)[0] || '?').toUpperCase();
  return span;
}

/** Puts the record into its conversation (and on screen when that one is shown). */
export function place(conv, rec) {
  const next = file(conv, rec);
  if (conv === model.current) dom.chatArea.insertBefore(rec.el, next ? next.el : null);
}

/** Builds the record's element (rec.el). */
export function messageElement(rec) {
  const li = document.createElement('li');
  const isPrivate = rec.to !== null;
  li.className = 'msg ' + (rec.mine ? 'mine' : 'theirs') + (isPrivate ? ' private' : '');
  li.dataset.user = rec.user;
  if (isPrivate) li.dataset.to = rec.to;
  if (!rec.mine) li.appendChild(avatar(rec.user));

  const bubble = document.createElement('div');
  bubble.className = 'bubble';
  const meta = document.createElement('div');
  meta.className = 'msg-meta';
  if (!rec.mine) {
    const author = document.createElement('span');
    author.className = 'msg-author';
    author.textContent = rec.user;
    meta.appendChild(author);
  }
  if (isPrivate) {
    const badge = document.createElement('span');
    badge.className = 'badge badge-private';
    badge.textContent =
      rec.mine && rec.to ? t('chat.privateTo', { name: rec.to }) : t('chat.private');
    meta.appendChild(badge);
  }
  if (rec.removed) {
    const badge = document.createElement('span');
    badge.className = 'badge badge-removed';
    badge.textContent = t('chat.removedAccount');
    meta.appendChild(badge);
  }
  rec.timeEl = timeElement(rec.ts);
  meta.appendChild(rec.timeEl);

  const body = document.createElement('div');
  body.className = 'msg-text';
  body.textContent = rec.data;

  bubble.append(meta, body);
  li.appendChild(bubble);
  rec.el = li;
  rec.metaEl = meta;
  renderState(rec);
  return li;
}

/** Pending / failed / unread decorations of a message. */
export function renderState(rec) {
  const li = rec.el;
  if (rec.id !== null) li.dataset.id = String(rec.id);
  if (rec.cid) li.dataset.cid = rec.cid;
  // waiting to be sent again is still pending (not stored), with a marker of its own
  li.classList.toggle('pending', rec.state === 'pending' || rec.state === 'retrying');
  li.classList.toggle('retrying', rec.state === 'retrying');
  li.classList.toggle('failed', rec.state === 'failed');
  if (rec.state === 'stored') delete li.dataset.state;
  else li.dataset.state = rec.state;
  li.classList.toggle('unread', Boolean(rec.unread));
  for (const old of rec.metaEl.querySelectorAll('.msg-status, .msg-error, .unread-marker')) {
    old.remove();
  }
  if (rec.state === 'pending') {
    const status = document.createElement('span');
    status.className = 'msg-status';
    status.textContent = t('chat.pending');
    rec.metaEl.appendChild(status);
  } else if (rec.state === 'retrying') {
    const status = document.createElement('span');
    status.className = 'msg-status msg-retrying';
    status.textContent = t('chat.retrying');
    if (rec.retryReason) status.title = rec.retryReason;
    rec.metaEl.appendChild(status);
  } else if (rec.state === 'failed') {
    const error = document.createElement('span');
    error.className = 'msg-error';
    error.setAttribute('role', 'alert');
    error.textContent = t('chat.failed', { msg: rec.error || '' });
    rec.metaEl.appendChild(error);
  }
  if (rec.unread) {
    const marker = document.createElement('span');
    marker.className = 'badge unread-marker';
    marker.textContent = t('chat.unreadMarker');
    rec.metaEl.appendChild(marker);
  }
}

/** The conversation was read: its "new" markers go. */
export function clearUnreadMarkers(conv) {
  for (const rec of conv.items) {
    if (rec.unread) {
      rec.unread = false;
      rec.el.classList.remove('unread');
      const marker = rec.el.querySelector('.unread-marker');
      if (marker) marker.remove();
    }
  }
}

/**
 * A centred line in the current conversation: an error the server reported. The page opens the
 * group conversation before it connects, so there is always a current one.
 */
export function addNotice(kind, value) {
  const target = model.current;
  const li = document.createElement('li');
  li.className = 'notice-line ' + kind;
  const body = document.createElement('span');
  body.className = 'notice-text';
  if (kind === 'error') {
    const label = document.createElement('strong');
    label.textContent = t('chat.errorPrefix') + ': ';
    body.appendChild(label);
  }
  body.appendChild(document.createTextNode(text(value)));
  li.append(body, timeElement());
  const rec = {
    kind: 'notice',
    id: null,
    seq: nextSeq(),
    after: model.lastId === null ? 0 : model.lastId,
    el: li,
  };
  place(target, rec);
  if (target === model.current) scrollToBottom();
}
