import type { StoredMessage } from '../messages/stored-message.js';
import type { GroupChatMessage, HistoryItem, SingleChatMessage } from '../protocol/index.js';

/**
 * A stored message on the wire: what goes live (events 2 and 3) and what the history API and
 * the `history` event carry. The fields are named once, here (toWire); the history item adds
 * `to` and its marks. Each keeps the key order it always had, so the bytes are the same.
 */
export function toWire(message: StoredMessage): GroupChatMessage {
  const { id, sender: user, text: data, ts, cid } = message;
  return cid ? { user, data, id, ts, cid } : { user, data, id, ts };
}

/** A private message (to `to`, its recipient) as it goes live, to the recipient and the sender. */
export function toPrivateWire(message: StoredMessage, to: string): SingleChatMessage {
  return { ...toWire(message), to };
}

/** `forUserId`: the user the item is for (marks what waited for them as unread). */
export function toHistoryItem(message: StoredMessage, forUserId?: number): HistoryItem {
  const { id, user, data, ts, cid } = toWire(message);
  const item: HistoryItem = { id, user, to: message.recipient, data, ts };
  if (cid) item.cid = cid;
  if (forUserId !== undefined && !message.delivered && message.recipientId === forUserId)
    item.unread = true;
  if (message.senderId === null || (message.recipient !== null && message.recipientId === null))
    item.removed = true;
  return item;
}
