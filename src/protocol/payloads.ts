import type { ErrorCode } from './errors.js';

/** Most characters in one chat message (events 2 and 3). */
export const MAX_TEXT_LENGTH = 2000;

/** Every server → client payload has this shape; `user` is '' for messages from the server. */
export interface ServerMessage<T = string> {
  user: string;
  data: T;
}

/** Event 2 from the server: a group message, as it is delivered live. */
export interface GroupChatMessage extends ServerMessage {
  id: number;
  ts: number;
  cid?: string;
}

/** Event 3 from the server: a private message, to every tab of its recipient and its sender. */
export interface SingleChatMessage extends GroupChatMessage {
  to: string;
}

export interface TypingNotice {
  user: string;
  /** 'all' for the group, else the recipient (you). */
  to: string;
}

/** Who came online and who went offline since the last update. */
export interface PresenceChanges {
  online: string[];
  offline: string[];
}

/**
 * `resync`: Redis was away from this moment on (the highest message id stored then): messages
 * from other instances since may not have reached you.
 */
export interface ResyncNotice {
  lastId: number;
}

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

/**
 * One page of the catch-up a socket gets right after it connects (`history`). A client keeps
 * the `lastId` it passes at the next connect: it moves it to `until` only with the page that says
 * `done` (then forward with each live message), never earlier, so a drop mid catch-up skips
 * nothing. `more`: older messages were left out (page back through GET /messages).
 */
export interface HistoryPage extends ServerMessage<HistoryItem[]> {
  /** The catch-up holds messages up to this id; later ones arrive live. */
  until: number;
  /** The catch-up's last page. */
  done: boolean;
  more: boolean;
}

export type AckResponse =
  { status: 1; id: number; ts: number } | { status: 0; code: ErrorCode; msg: string; retry?: true };

/** Event 0: a refusal or an error, told to one socket (or, as the server stops, to all). */
export interface ErrorNotice extends ServerMessage {
  code: ErrorCode;
}

/** The server's greeting (event 2 from user '') to each socket that connects. */
export function welcomeText(username: string): string {
  return `Welcome, ${username}!`;
}
