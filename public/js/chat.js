// Chat page: checks the kept token with GET /userinfo (api.js adds the header and sends a 401 to
// the login page), then joins the chat over Socket.IO with io({auth: (cb) => cb({token, lastId})}).
// Events (PROTOCOL.md): '0' error, '1' online list, '2' group chat, '3' private chat, plus
// 'history' (stored messages after connect) and 'typing'.
//
// Model: every message lives in one conversation, the group ('all') or the private one with a
// peer. #chatArea shows the selected conversation; the others count unread messages in the
// sidebar. Messages are kept in id order and deduplicated by id; a message we send gets a client
// id (cid), shows at once as pending and is matched to its stored copy by that cid.
//
// Sending: the outbox holds our unacknowledged messages in the order they were typed. A refusal
// with `retry: true` (database away, server restarting, rate limited) keeps the message, shown as
// "waiting to resend…", and the outbox is sent again with the same cids after a backoff (2 s,
// doubling, at most 15 s) and at once after every reconnect; the server stores each cid once.
// While refusals last, only the oldest message is tried (a probe); once one is stored the rest
// follow, in order. A refusal without `retry` is final: "Not sent: <reason>".
(function () {
  'use strict';

  const { t, apply, errorText } = window.I18n;
  const Api = window.Api;

  const EV_ERROR = '0';
  const EV_ONLINE = '1';
  const EV_GROUP = '2';
  const EV_PRIVATE = '3';
  const EV_HISTORY = 'history';
  const EV_TYPING = 'typing';
  const EV_PRESENCE = 'presence'; // who came online and who left (we ask for it at the handshake)
  const MAX_LENGTH = 2000;
  const AUTH_ERRORS = ['unauthorized', 'token expired'];
  /** Handshakes refused for now: the database is away, or the server is stopping. */
  const UNAVAILABLE_ERRORS = ['service unavailable', 'server is restarting, send again shortly'];
  const GROUP = 'all'; // the group conversation's value in #select and on the wire
  const TYPING_EVERY_MS = 2000; // we tell the server at most this often
  const TYPING_SHOWN_MS = 4000; // someone else's indicator lasts this long after their last event
  const OLDER_PAGE = 50;
  const NEAR_TOP_PX = 40;
  const RETRY_FIRST_MS = 2000; // first wait before sending refused messages again
  const RETRY_MAX_MS = 15000; // the wait doubles up to this
  const MAX_IN_FLIGHT = 20; // unacknowledged sends at a time (the server limits events per second)
  // A reason the server sends to every socket as it stops; the status line says it already.
  const TRANSIENT_NOTICES = ['server is restarting, send again shortly'];

  // No token at all: straight to the login page.
  if (!Api.getToken()) {
    location.replace('login.html');
    return;
  }

  apply();
  const baseTitle = t('chat.title');
  document.title = baseTitle;

  const userEl = document.getElementById('user');
  const chatArea = document.getElementById('chatArea');
  const form = document.getElementById('composer');
  const input = document.getElementById('message');
  const select = document.getElementById('select');
  const hint = document.getElementById('hint');
  const onlineList = document.getElementById('online');
  const onlineCount = document.getElementById('onlineCount');
  const convList = document.getElementById('conversations');
  const convName = document.getElementById('convName');
  const convState = document.getElementById('convState');
  const typingEl = document.getElementById('typing');
  const logoutButton = document.getElementById('logout');
  const statusEl = document.getElementById('status');
  const statusText = document.getElementById('statusText');

  input.maxLength = MAX_LENGTH;

  let me = '';
  let socket = null;
  let leaving = false;
  let loggingOut = false;
  let online = [];
  /**
   * Sent again on reconnect: every message up to this id has reached the page. It moves to a
   * catch-up's `until` only with its last page (`done`), then with each live message (they come
   * in id order), never during a catch-up: a drop then makes the next one start from here again.
   */
  let lastId = null;
  /** This connection's catch-up is complete (its `done` page arrived). */
  let caughtUp = false;
  /** The lastId this connection's handshake carried (null: none, a fresh start). */
  let catchUpFrom = null;
  let seq = 0; // insertion order, to break ties between records with the same sort key

  /** key ('all' or a peer's name) → conversation */
  const conversations = new Map();
  /** message id → record */
  const byId = new Map();
  /** cid → record, for the messages this page sent */
  const byCid = new Map();
  /** records sent by this page and not acknowledged yet, oldest first */
  const outbox = [];
  let current = null;
  /** Sending again after refusals with `retry: true`: the timer, the next wait, probing mode. */
  let retryTimer = null;
  let retryDelay = RETRY_FIRST_MS;
  let probing = false;

  // ---------------------------------------------------------------- helpers

  function leave(noticeKey) {
    if (leaving) return;
    leaving = true;
    if (socket) socket.disconnect();
    Api.goLogin(noticeKey);
  }

  function setStatus(state) {
    statusEl.dataset.state = state;
    statusText.textContent = t('chat.' + state);
  }

  function showHint(message, kind) {
    hint.textContent = message;
    hint.className = 'hint' + (kind ? ' hint-' + kind : '');
    hint.hidden = !message;
  }

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

  function setTime(time, ts) {
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

  function avatar(name, group) {
    const span = document.createElement('span');
    span.className = 'avatar ' + (group ? 'avatar-group' : hueClass(name));
    span.setAttribute('aria-hidden', 'true');
    span.textContent = group ? '#' : (Array.from(name)[0] || '?').toUpperCase();
    return span;
  }

  function text(value) {
    if (typeof value === 'string') return value;
    if (value === null || value === undefined) return '';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }

  function validId(value) {
    const id = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : null;
  }

  function seeId(id) {
    if (id !== null && (lastId === null || id > lastId)) lastId = id;
  }

  /** A client message id: a UUID, or 32 random hex digits. */
  function newCid() {
    const c = window.crypto;
    if (c && typeof c.randomUUID === 'function') return c.randomUUID();
    const bytes = new Uint8Array(16);
    if (c && typeof c.getRandomValues === 'function') c.getRandomValues(bytes);
    else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function isNearBottom() {
    return chatArea.scrollHeight - chatArea.scrollTop - chatArea.clientHeight < 80;
  }

  function scrollToBottom() {
    chatArea.scrollTop = chatArea.scrollHeight;
  }

  // ---------------------------------------------------------------- conversations

  function conversation(key) {
    let conv = conversations.get(key);
    if (conv) return conv;
    conv = {
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
    renderConversationList();
    return conv;
  }

  /** The conversation a stored or live message belongs to. */
  function keyOf(msg) {
    if (msg.to === null || msg.to === undefined || msg.to === '') return GROUP;
    const sender = text(msg.user);
    return sender === me ? text(msg.to) : sender;
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

  /** Puts the record into its conversation (and on screen when that one is shown). */
  function place(conv, rec) {
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
    if (conv === current) {
      const next = items[lo + 1];
      chatArea.insertBefore(rec.el, next ? next.el : null);
    }
  }

  function totalUnread() {
    let total = 0;
    for (const conv of conversations.values()) total += conv.unread;
    return total;
  }

  function updateTitle() {
    const total = totalUnread();
    document.title = total ? '(' + total + ') ' + baseTitle : baseTitle;
  }

  function renderConversationList() {
    const convs = Array.from(conversations.values());
    const group = conversations.get(GROUP);
    const peers = convs
      .filter((c) => !c.group)
      .sort((a, b) => lastActivity(b) - lastActivity(a) || a.key.localeCompare(b.key));
    const items = [];
    for (const conv of group ? [group, ...peers] : peers) {
      if (!conv.el) conv.el = conversationItem(conv);
      updateConversationItem(conv);
      items.push(conv.el);
    }
    convList.replaceChildren(...items);
    updateTitle();
  }

  function lastActivity(conv) {
    for (let i = conv.items.length - 1; i >= 0; i--) {
      const rec = conv.items[i];
      if (rec.kind === 'message') return rec.ts || 0;
    }
    return 0;
  }

  function conversationItem(conv) {
    const li = document.createElement('li');
    li.dataset.conv = conv.key;
    li.tabIndex = 0;
    li.setAttribute('role', 'button');
    const name = document.createElement('span');
    name.className = 'conv-name';
    name.textContent = conv.group ? t('chat.group') : conv.key;
    const badge = document.createElement('span');
    badge.className = 'conv-badge';
    badge.hidden = true;
    li.append(avatar(conv.key, conv.group), name, badge);
    return li;
  }

  function updateConversationItem(conv) {
    const li = conv.el;
    if (!li) return;
    const selected = conv === current;
    li.classList.toggle('selected', selected);
    li.setAttribute('aria-pressed', String(selected));
    li.classList.toggle('is-online', !conv.group && online.includes(conv.key));
    li.classList.toggle('has-unread', conv.unread > 0);
    const badge = li.querySelector('.conv-badge');
    badge.textContent = String(conv.unread);
    badge.hidden = conv.unread === 0;
    badge.setAttribute('aria-label', t('chat.unreadCount', { count: conv.unread }));
  }

  function addUnread(conv, count) {
    conv.unread += count;
    updateConversationItem(conv);
    updateTitle();
  }

  /** Shows a conversation in #chatArea, clears its unread count and points #select at it. */
  function openConversation(key, options) {
    const conv = conversation(key);
    if (current && current !== conv) {
      current.scrollTop = isNearBottom() ? null : chatArea.scrollTop;
      clearUnreadMarkers(current); // seen while it was open
    }
    const previous = current;
    current = conv;
    chatArea.replaceChildren(...conv.items.map((rec) => rec.el));
    if (conv.scrollTop === null) scrollToBottom();
    else chatArea.scrollTop = conv.scrollTop;
    if (conv.unread) {
      conv.unread = 0;
      updateTitle();
    }
    if (previous) updateConversationItem(previous);
    updateConversationItem(conv);
    fillSelect();
    updateComposerMode();
    renderTyping();
    if (!options || !options.keepHint) showHint('');
    maybeLoadOlder();
  }

  function clearUnreadMarkers(conv) {
    for (const rec of conv.items) {
      if (rec.unread) {
        rec.unread = false;
        rec.el.classList.remove('unread');
        const marker = rec.el.querySelector('.unread-marker');
        if (marker) marker.remove();
      }
    }
  }

  // ---------------------------------------------------------------- messages

  function messageElement(rec) {
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
  function renderState(rec) {
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

  /**
   * A message from the server (history, live event or an older page). `how`: 'live' (counts as
   * unread where it is not shown), 'history' (already seen unless marked unread) or 'older'.
   * Returns the record when it was new.
   */
  function receive(msg, how) {
    if (!msg || typeof msg !== 'object') return null;
    const sender = text(msg.user);
    if (!sender) return null;
    const id = validId(msg.id);
    if (id !== null && byId.has(id)) return null;

    const cid = typeof msg.cid === 'string' ? msg.cid : null;
    const ts = msg.ts;
    const to = msg.to === null || msg.to === undefined || msg.to === '' ? null : text(msg.to);
    // `removed`: the other account of the message is gone; in the group that is its author, who
    // may have had our name before us.
    const removed = msg.removed === true;
    const mine = sender === me && !(removed && to === null);
    // Our own message coming back: it is stored now.
    if (cid && mine && byCid.has(cid)) {
      const rec = byCid.get(cid);
      if (rec.id === null && id !== null) confirm(rec, id, ts);
      return null;
    }

    const key = keyOf({ user: sender, to });
    if (!key) return null;
    const conv = conversation(key);
    const rec = {
      kind: 'message',
      id,
      cid,
      seq: seq++,
      user: sender,
      to,
      data: text(msg.data),
      ts,
      mine,
      removed,
      state: 'stored',
      unread: false,
    };
    const shown = conv === current;
    if (!rec.mine && msg.unread === true) rec.unread = true;
    messageElement(rec);
    if (id !== null) byId.set(id, rec);
    if (cid && rec.mine) byCid.set(cid, rec);

    const stick = shown && (rec.mine || isNearBottom());
    place(conv, rec);
    if (stick) scrollToBottom();
    stopTyping(conv, sender);

    if (!rec.mine && !shown && (how === 'live' || rec.unread)) addUnread(conv, 1);
    if (how !== 'older' && !conv.group && conv.el && conv.el !== convList.children[1]) {
      renderConversationList(); // most recent private conversation first
    }
    return rec;
  }

  /** A message we sent is stored: it has its id now. */
  function confirm(rec, id, ts) {
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
    const stick = rec.conv === current && isNearBottom();
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
    if (rec.conv) {
      const i = rec.conv.items.indexOf(rec);
      if (i !== -1) rec.conv.items.splice(i, 1);
    }
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

  /** Forgets the stored messages shown (not ours still waiting for an id): a fresh start. */
  function forgetStored() {
    for (const conv of conversations.values()) {
      conv.items = conv.items.filter((rec) => rec.kind !== 'message' || rec.id === null);
      conv.exhausted = false;
      conv.unread = 0;
      updateConversationItem(conv);
    }
    byId.clear();
    for (const [cid, rec] of byCid) if (rec.id !== null) byCid.delete(cid);
    if (current) chatArea.replaceChildren(...current.items.map((rec) => rec.el));
    updateTitle();
  }

  /** A centred line in the current conversation: an error the server reported. */
  function addNotice(kind, value) {
    if (!current) openConversation(GROUP);
    const target = current;
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
      seq: seq++,
      after: lastId === null ? 0 : lastId,
      el: li,
    };
    place(target, rec);
    if (target === current) scrollToBottom();
  }

  // ---------------------------------------------------------------- sending

  /**
   * Sends the outbox, oldest first: whatever is not on its way already, up to MAX_IN_FLIGHT
   * unacknowledged sends, or only one while the server refuses for now (the oldest is the probe).
   */
  function sendOutbox() {
    if (!socket || !socket.connected) return;
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
    if (!socket || !socket.connected) return;
    const payload =
      rec.to === null
        ? { data: rec.data, cid: rec.cid }
        : { data: rec.data, to: rec.to, cid: rec.cid };
    rec.inFlight = true;
    const attempt = (rec.attempt = (rec.attempt || 0) + 1);
    socket.emit(rec.to === null ? EV_GROUP : EV_PRIVATE, payload, (ack) => {
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

  function sendMessage(value, key) {
    const cid = newCid();
    const rec = {
      kind: 'message',
      id: null,
      cid,
      seq: seq++,
      user: me,
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

  // Event '0' also answers a refused send whose acknowledgement shows the reason on the message
  // itself; such a reason is not repeated as a notice. `shown`: the reason in the page's words.
  const refusedReasons = [];
  function reportError(reason, shown) {
    if (TRANSIENT_NOTICES.includes(reason)) return;
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

  // ---------------------------------------------------------------- older messages

  function oldestId(conv) {
    for (const rec of conv.items) if (rec.id !== null) return rec.id;
    return null;
  }

  /** Loads older messages when the shown conversation is scrolled to the top (or too short to scroll). */
  function maybeLoadOlder() {
    const conv = current;
    if (!conv || !historyReady || conv.exhausted || conv.loadingOlder) return;
    if (chatArea.scrollTop > NEAR_TOP_PX) return;
    loadOlder(conv);
  }

  function loadOlder(conv) {
    conv.loadingOlder = true;
    if (conv === current) chatArea.classList.add('loading-older');
    const params = { with: conv.key, limit: OLDER_PAGE };
    const before = oldestId(conv);
    if (before !== null) params.before = before;
    axios
      .get('/messages', { params, timeout: 15000 })
      .then((res) => {
        const body = res.data || {};
        const list = body.status === 1 && Array.isArray(body.data) ? body.data : [];
        const wasShown = conv === current;
        const height = chatArea.scrollHeight;
        const top = chatArea.scrollTop;
        let added = 0;
        for (const msg of list) {
          // an older page must not change where the conversation is filed
          if (msg && typeof msg === 'object' && keyOf(msg) !== conv.key) continue;
          if (receive(msg, 'older')) added += 1;
        }
        if (list.length === 0) conv.exhausted = true;
        // a page of messages all known already (overlap) moves the cursor on anyway
        if (list.length > 0 && added === 0 && oldestId(conv) === before) conv.exhausted = true;
        if (wasShown && conv === current) {
          chatArea.scrollTop = chatArea.scrollHeight - height + top; // keep the reader's place
        }
      })
      .catch((err) => {
        if (leaving) return;
        if (err && err.response && err.response.status === 401) return; // api.js goes to login
        if (conv === current) showHint(t('chat.olderFailed'), 'warn');
        conv.retryOlderAt = Date.now() + 5000;
      })
      .then(() => {
        conv.loadingOlder = false;
        chatArea.classList.remove('loading-older');
        if (
          conv === current &&
          !conv.exhausted &&
          (!conv.retryOlderAt || Date.now() > conv.retryOlderAt)
        ) {
          // still at the top, or too short to scroll: keep going
          if (chatArea.scrollHeight <= chatArea.clientHeight + NEAR_TOP_PX) maybeLoadOlder();
        }
      });
  }

  chatArea.addEventListener('scroll', () => {
    if (chatArea.scrollTop <= NEAR_TOP_PX) {
      const conv = current;
      if (conv && conv.retryOlderAt && Date.now() < conv.retryOlderAt) return;
      maybeLoadOlder();
    }
  });

  // ---------------------------------------------------------------- typing

  let lastTypingSent = { to: null, at: 0 };

  function typingNow() {
    if (!socket || !socket.connected || !current) return;
    const to = current.key;
    const now = Date.now();
    if (lastTypingSent.to === to && now - lastTypingSent.at < TYPING_EVERY_MS) return;
    lastTypingSent = { to, at: now };
    socket.emit(EV_TYPING, { to });
  }

  function someoneTyping(msg) {
    if (!msg || typeof msg !== 'object') return;
    const user = text(msg.user);
    if (!user || user === me) return;
    const to = text(msg.to);
    const key = to === GROUP ? GROUP : to === me ? user : null;
    if (!key) return;
    const conv = conversations.get(key); // someone we have no conversation with is not shown
    if (!conv) return;
    clearTimeout(conv.typing.get(user));
    conv.typing.set(
      user,
      setTimeout(() => stopTyping(conv, user), TYPING_SHOWN_MS),
    );
    if (conv === current) renderTyping();
  }

  function stopTyping(conv, user) {
    if (!conv.typing.has(user)) return;
    clearTimeout(conv.typing.get(user));
    conv.typing.delete(user);
    if (conv === current) renderTyping();
  }

  function renderTyping() {
    const names = current ? Array.from(current.typing.keys()) : [];
    let line = '';
    if (names.length === 1) line = t('chat.typingOne', { name: names[0] });
    else if (names.length === 2) line = t('chat.typingTwo', { a: names[0], b: names[1] });
    else if (names.length > 2) line = t('chat.typingMany');
    typingEl.textContent = line;
    typingEl.hidden = !line;
  }

  // ---------------------------------------------------------------- recipients

  /** #select: 'all', one option per online user, and the open peer even when offline. */
  function fillSelect() {
    const everyone = document.createElement('option');
    everyone.value = GROUP;
    everyone.textContent = t('chat.everyone');
    const options = [everyone];
    for (const name of online) {
      const option = document.createElement('option');
      option.value = name;
      option.textContent = name === me ? name + ' (' + t('chat.you') + ')' : name;
      options.push(option);
    }
    const key = current ? current.key : GROUP;
    if (key !== GROUP && !online.includes(key)) {
      const option = document.createElement('option');
      option.value = key;
      option.className = 'offline';
      option.textContent = key + ' (' + t('chat.offline') + ')';
      options.push(option);
    }
    select.replaceChildren(...options);
    select.value = key;
  }

  function updateComposerMode() {
    const key = current ? current.key : GROUP;
    const isPrivate = key !== GROUP;
    const offline = isPrivate && !online.includes(key);
    form.classList.toggle('is-private', isPrivate);
    input.placeholder = isPrivate
      ? t('chat.placeholder.private', { name: key })
      : t('chat.placeholder.group');
    convName.textContent = isPrivate ? key : t('chat.groupLong');
    convState.textContent = offline ? t('chat.offline') : '';
    convState.hidden = !offline;
    onlineList.querySelectorAll('li').forEach((li) => {
      li.classList.toggle('selected', li.dataset.user === key);
      li.setAttribute('aria-pressed', String(li.dataset.user === key));
    });
  }

  function updateOnline(list) {
    const names = [];
    if (Array.isArray(list)) {
      for (const item of list) {
        const name = text(item);
        if (name && !names.includes(name)) names.push(name);
      }
    }
    names.sort((a, b) => (a === me ? -1 : b === me ? 1 : a.localeCompare(b)));
    online = names;

    const items = [];
    for (const name of names) {
      const li = document.createElement('li');
      li.dataset.user = name;
      li.tabIndex = 0;
      li.setAttribute('role', 'button');
      if (name === me) li.classList.add('me');
      const label = document.createElement('span');
      label.className = 'online-name';
      label.textContent = name;
      li.append(avatar(name), label);
      if (name === me) {
        const you = document.createElement('span');
        you.className = 'you';
        you.textContent = t('chat.you');
        li.appendChild(you);
      }
      items.push(li);
    }
    onlineList.replaceChildren(...items);
    onlineCount.textContent = String(names.length);
    for (const conv of conversations.values()) updateConversationItem(conv);
    fillSelect();
    updateComposerMode();
  }

  // ---------------------------------------------------------------- socket

  function connect() {
    if (typeof io !== 'function') {
      addNotice('error', t('error.network'));
      return;
    }
    // auth as a function: every (re)connection sends the token kept right now and the last
    // message id seen, so that the server sends only what we missed.
    socket = io({
      auth: (cb) => {
        // presence: 'changes': the whole online list once, then only changes (not the whole
        // list every time someone comes or goes)
        const auth = { token: Api.getToken() || '', presence: 'changes' };
        if (lastId !== null) auth.lastId = lastId;
        catchUpFrom = lastId;
        caughtUp = false;
        cb(auth);
      },
    });

    socket.on('connect', () => {
      setStatus('connected');
      if (hint.textContent === t('chat.queued')) showHint('');
      // What was sent and never acknowledged goes again, at once and with the same cid (the
      // server stores it once); answers to the sends over the old connection never come.
      stopRetrying();
      for (const rec of outbox) {
        rec.inFlight = false;
        rec.attempt = (rec.attempt || 0) + 1;
      }
      sendOutbox();
    });

    socket.on('connect_error', (err) => {
      if (leaving || loggingOut) return;
      if (err && AUTH_ERRORS.includes(err.message)) {
        leave('notice.sessionExpired');
        return;
      }
      setStatus(err && UNAVAILABLE_ERRORS.includes(err.message) ? 'unavailable' : 'reconnecting');
      // Refused by the server for now ("service unavailable" while its database is away, "server
      // is restarting", too many connections): socket.io does not retry those by itself.
      if (!socket.active) setTimeout(() => !leaving && !loggingOut && socket.connect(), 2000);
    });

    socket.on('disconnect', (reason) => {
      historyIsMissed = true;
      caughtUp = false;
      if (leaving || loggingOut) return;
      setStatus('reconnecting');
      // The server closed the socket (a restart, or a revoked token): join again. A revoked
      // token fails the handshake with 'unauthorized', which goes to the login page.
      if (reason === 'io server disconnect') socket.connect();
    });

    socket.on(EV_ERROR, (msg) => {
      const reason = text(msg && msg.data);
      if (reason === 'token expired') {
        leave('notice.sessionExpired');
        return;
      }
      reportError(reason, errorText(msg && msg.code, reason));
    });

    socket.on(EV_ONLINE, (msg) => {
      if (msg) updateOnline(msg.data);
    });

    socket.on(EV_PRESENCE, (changes) => {
      if (!changes || typeof changes !== 'object') return;
      const gone = new Set(Array.isArray(changes.offline) ? changes.offline.map(text) : []);
      const came = Array.isArray(changes.online) ? changes.online : [];
      updateOnline([...online.filter((name) => !gone.has(name)), ...came]);
    });

    // The catch-up: pages of history, the last one with `done` and `until`.
    socket.on(EV_HISTORY, (msg) => {
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
      historyReady = true;
      maybeLoadOlder();
    });

    socket.on(EV_GROUP, (msg) => {
      if (!msg || typeof msg !== 'object') return;
      if (!msg.user) return; // the server's welcome line: the status shows we are connected
      if (caughtUp) seeId(validId(msg.id));
      receive(Object.assign({}, msg, { to: null }), 'live');
    });

    socket.on(EV_PRIVATE, (msg) => {
      if (!msg || typeof msg !== 'object' || !msg.to) return;
      if (caughtUp) seeId(validId(msg.id));
      receive(msg, 'live');
    });

    socket.on(EV_TYPING, someoneTyping);
  }

  // The first connection's history is what happened before this page; later ones are what it
  // missed while disconnected. Older pages are asked for once the first history is in.
  let historyIsMissed = false;
  let historyReady = false;

  // ---------------------------------------------------------------- UI events

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = input.value;
    if (value.trim() === '') {
      showHint(t('chat.empty'), 'warn');
      input.focus();
      return;
    }
    if (value.length > MAX_LENGTH) {
      showHint(t('chat.tooLong', { max: MAX_LENGTH }), 'warn');
      input.focus();
      return;
    }
    if (!me) {
      showHint(t('chat.notConnected'), 'warn');
      return;
    }
    const key = current ? current.key : GROUP;
    sendMessage(value, key);
    lastTypingSent = { to: null, at: 0 };
    input.value = '';
    if (!socket || !socket.connected) showHint(t('chat.queued'), 'info');
    else showHint('');
    input.focus();
  });

  input.addEventListener('input', () => {
    if (!hint.hidden && hint.textContent !== t('chat.queued')) showHint('');
    if (input.value.trim() !== '') typingNow();
  });

  select.addEventListener('change', () => {
    openConversation(select.value || GROUP);
    const key = current.key;
    if (key !== GROUP && !online.includes(key))
      showHint(t('chat.peerOffline', { name: key }), 'info');
  });

  function onActivate(list, attribute, open) {
    function pick(event) {
      const li = event.target.closest('li[' + attribute + ']');
      if (!li || !list.contains(li)) return;
      open(li.getAttribute(attribute));
      input.focus();
    }
    list.addEventListener('click', pick);
    list.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        pick(event);
      }
    });
  }
  onActivate(convList, 'data-conv', (key) => {
    openConversation(key);
    if (key !== GROUP && !online.includes(key))
      showHint(t('chat.peerOffline', { name: key }), 'info');
  });
  onActivate(onlineList, 'data-user', (name) => openConversation(name));

  logoutButton.addEventListener('click', () => {
    if (leaving || loggingOut) return;
    loggingOut = true;
    logoutButton.disabled = true;
    // POST /logout revokes the token; its failure does not matter, we leave anyway.
    axios
      .post('/logout', null, { timeout: 3000, skipAuthRedirect: true })
      .catch(() => {})
      .then(() => {
        try {
          localStorage.removeItem('username');
        } catch {
          // ignore
        }
        leave('notice.loggedOut');
      });
  });

  // Signed out in another tab: follow.
  window.addEventListener('storage', (event) => {
    if (event.key === 'token' && !event.newValue) leave('notice.sessionExpired');
    if (event.key === null) leave('notice.sessionExpired'); // localStorage.clear()
  });

  // ---------------------------------------------------------------- start

  // GET /userinfo checks the token. 401: api.js goes to the login page. Anything else that fails
  // (503 while the database is away, a network error, a 5xx) says nothing about the token: keep
  // it, say the server is unavailable and ask again after 2 s, doubling, at most 15 s.
  let startDelay = RETRY_FIRST_MS;
  let startTimer = null;
  let starting = false;
  function start() {
    clearTimeout(startTimer);
    startTimer = null;
    if (starting || me || leaving) return;
    starting = true;
    axios
      .get('/userinfo', { timeout: 15000 })
      .then((res) => {
        starting = false;
        const body = res.data || {};
        if (body.status !== 1 || typeof body.username !== 'string' || !body.username) {
          leave('notice.sessionExpired');
          return;
        }
        me = body.username;
        userEl.textContent = me;
        document.body.classList.remove('loading');
        setStatus('connecting');
        openConversation(GROUP);
        connect();
        input.focus();
      })
      .catch((err) => {
        starting = false;
        if (leaving || (err && err.response && err.response.status === 401)) return;
        setStatus('unavailable');
        const wait = startDelay;
        startDelay = Math.min(RETRY_MAX_MS, startDelay * 2);
        startTimer = setTimeout(start, wait);
      });
  }
  // back online: ask at once instead of waiting for the timer
  window.addEventListener('online', () => {
    if (!me && startTimer !== null) start();
  });
  start();
})();
