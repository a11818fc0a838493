// Messages from the server, from the catch-up, live events and older pages alike: each is shown
// once (deduplicated by id), in its conversation, and our own coming back confirms the pending one.
import {
  addUnread,
  conversation,
  renderConversationList,
  updateConversationItem,
  updateTitle,
} from './conversations.js';
import { dom, isNearBottom, scrollToBottom } from './dom.js';
import { byCid, byId, conversations, keyOf, model, nextSeq, text, validId } from './model.js';
import { confirm } from './outbox.js';
import { messageElement, place } from './render.js';
import { stopTyping } from './typing.js';

/**
 * A message from the server (history, live event or an older page). `how`: 'live' (counts as
 * unread where it is not shown), 'history' (already seen unless marked unread) or 'older'.
 * Returns the record when it was new.
 */
export function receive(msg, how) {
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
  const mine = sender === model.me && !(removed && to === null);
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
    seq: nextSeq(),
    user: sender,
    to,
    data: text(msg.data),
    ts,
    mine,
    removed,
    state: 'stored',
    unread: false,
  };
  const shown = conv === model.current;
  if (!rec.mine && msg.unread === true) rec.unread = true;
  messageElement(rec);
  if (id !== null) byId.set(id, rec);
  if (cid && rec.mine) byCid.set(cid, rec);

  const stick = shown && (rec.mine || isNearBottom());
  place(conv, rec);
  if (stick) scrollToBottom();
  stopTyping(conv, sender);

  if (!rec.mine && !shown && (how === 'live' || rec.unread)) addUnread(conv, 1);
  if (how !== 'older' && !conv.group && conv.el && conv.el !== dom.convList.children[1]) {
    renderConversationList(); // most recent private conversation first
  }
  return rec;
}

/** Forgets the stored messages shown (not ours still waiting for an id): a fresh start. */
export function forgetStored() {
  for (const conv of conversations.values()) {
    conv.items = conv.items.filter((rec) => rec.kind !== 'message' || rec.id === null);
    conv.exhausted = false;
    conv.unread = 0;
    updateConversationItem(conv);
  }
  byId.clear();
  for (const [cid, rec] of byCid) if (rec.id !== null) byCid.delete(cid);
  const current = model.current;
  if (current) dom.chatArea.replaceChildren(...current.items.map((rec) => rec.el));
  updateTitle();
}
