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
}

export function toHistoryItem(message: StoredMessage, forUser?: string): HistoryItem {
  const item: HistoryItem = {
    id: message.id,
    user: message.sender,
    to: message.recipient,
    data: message.text,
    ts: message.ts,
  };
  if (message.cid) item.cid = message.cid;
  if (forUser && !message.delivered && message.recipient === forUser) item.unread = true;
  return item;
}
