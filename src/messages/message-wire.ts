import type { StoredMessage } from './message-store.service.js';

/** A stored message as the history API and the `history` event carry it. */
export interface HistoryItem {
  id: number;
  user: string;
  /** null: the group. */
  to: string | null;
  data: string;
  ts: number;
  cid?: string;
  /** A private message that waited for its recipient while they were offline. */
  unread?: true;
  /**
   * The other account of this message (its author, or the recipient of a private one you sent)
   * has been removed: the name is that old account's, whoever holds the name now.
   */
  removed?: true;
}

/** `forUserId`: the user the item is for (marks what waited for them as unread). */
export function toHistoryItem(message: StoredMessage, forUserId?: number): HistoryItem {
  const item: HistoryItem = {
    id: message.id,
    user: message.sender,
    to: message.recipient,
    data: message.text,
    ts: message.ts,
  };
  if (message.cid) item.cid = message.cid;
  if (forUserId !== undefined && !message.delivered && message.recipientId === forUserId)
    item.unread = true;
  if (message.senderId === null || (message.recipient !== null && message.recipientId === null))
    item.removed = true;
  return item;
}
