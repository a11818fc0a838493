import { SERVER_CID_PREFIX } from './message.entity.js';

/** A message to store, as a socket handler hands it over. */
export interface MessageDraft {
  sender: string;
  /** The sender's account; the recipient's is found by name when the message is stored. */
  senderId: number;
  /** null: the group. */
  recipient: string | null;
  text: string;
  /** The sender's own id for the message; a retry with the same one is stored once. */
  cid?: string;
  /** false for a private message whose recipient is offline. */
  delivered: boolean;
  /** performance.now() when the gateway received it: for the delivery-time metric only. */
  receivedAt?: number;
}

/** A message as it is stored: what every read and the store's listeners get. */
export interface StoredMessage {
  id: number;
  sender: string;
  /** null once the sender's account is removed. */
  senderId: number | null;
  recipient: string | null;
  /** null for the group, and once the recipient's account is removed. */
  recipientId: number | null;
  text: string;
  /** The sender's client id, when they gave one. */
  cid?: string;
  ts: number;
  delivered: boolean;
}

/**
 * A row of `messages`: the entity TypeORM reads, or a row of plain SQL with the entity's names
 * (MessagesRepository), where MySQL gives BIGINTs as strings and booleans as 0 or 1.
 */
export interface MessageRow {
  id: number | string;
  sender: string;
  senderId: number | string | null;
  recipient: string | null;
  recipientId: number | string | null;
  text: string;
  cid: string;
  createdAt: number | string;
  delivered: boolean | number | string;
}

/** The one place a row becomes a StoredMessage. */
export function toStoredMessage(row: MessageRow): StoredMessage {
  return {
    id: Number(row.id),
    sender: row.sender,
    senderId: row.senderId === null ? null : Number(row.senderId),
    recipient: row.recipient,
    recipientId: row.recipientId === null ? null : Number(row.recipientId),
    text: row.text,
    cid: row.cid.startsWith(SERVER_CID_PREFIX) ? undefined : row.cid,
    ts: Number(row.createdAt),
    delivered: Number(row.delivered) === 1,
  };
}

/** A retry is the same sender account with the same client id (see UQ_messages_cid_sender_id). */
export function retryKey(senderId: number, cid: string): string {
  return `${senderId}\u0000${cid}`;
}

/** What storing a draft gives back. */
export interface SaveResult {
  message: StoredMessage;
  /** The same sender had already stored this cid: nothing was stored or delivered again. */
  duplicate: boolean;
}
