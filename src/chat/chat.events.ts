import { codeOf, type ErrorCode, ERROR_MESSAGES } from '../common/error-codes.js';
import type { HistoryItem } from '../messages/message-wire.js';

/**
 * The wire protocol (see PROTOCOL.md and the README). The original design's events are its
 * codes, which socket.io carries as the strings '0' to '3'; newer ones have names.
 */
export const ChatEvent = {
  Error: '0',
  GroupList: '1',
  GroupChat: '2',
  SingleChat: '3',
  History: 'history',
  Typing: 'typing',
  /** Online-list changes, for clients that asked for them at the handshake (`auth.presence`). */
  Presence: 'presence',
} as const;

/**
 * `auth.presence` at the handshake: 'changes' to get the whole online list ('1') once on connect
 * and then only who came online and who left ('presence'); otherwise the whole list on every
 * change (the original protocol; it costs every client the whole list each time).
 */
export const PRESENCE_CHANGES = 'changes';

/** Every server → client payload has this shape; `user` is '' for messages from the server. */
export interface ServerMessage<T = string> {
  user: string;
  data: T;
}

export interface GroupChatMessage extends ServerMessage {
  id: number;
  ts: number;
  cid?: string;
}

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

/** Event 0's payload for this message; its code is found by codeOf unless given. */
export function errorNotice(msg: string, code: ErrorCode = codeOf(msg)): ErrorNotice {
  return { user: '', data: msg, code };
}

/**
 * A refused handshake: the client's connect_error has this message and `data: { code }` (what
 * socket.io passes on from the error given to `next`).
 */
export function handshakeError(msg: string, code: ErrorCode = codeOf(msg)): Error {
  return Object.assign(new Error(msg), { data: { code } });
}

export interface ServerToClientEvents {
  [ChatEvent.Error]: (message: ErrorNotice) => void;
  [ChatEvent.GroupList]: (message: ServerMessage<string[]>) => void;
  [ChatEvent.GroupChat]: (message: ServerMessage | GroupChatMessage) => void;
  [ChatEvent.SingleChat]: (message: SingleChatMessage) => void;
  [ChatEvent.History]: (page: HistoryPage) => void;
  [ChatEvent.Typing]: (notice: TypingNotice) => void;
  [ChatEvent.Presence]: (changes: PresenceChanges) => void;
}

export interface ClientToServerEvents {
  [ChatEvent.GroupChat]: (payload: unknown, ack?: (response: AckResponse) => void) => void;
  [ChatEvent.SingleChat]: (payload: unknown, ack?: (response: AckResponse) => void) => void;
  [ChatEvent.Typing]: (payload: unknown) => void;
}

/**
 * The events ChatGateway has handlers for (ClientToServerEvents): WsRateLimitGuard counts these,
 * a socket middleware counts every other event a client sends.
 */
export const HANDLED_EVENTS: ReadonlySet<string> = new Set<keyof ClientToServerEvents>([
  ChatEvent.GroupChat,
  ChatEvent.SingleChat,
  ChatEvent.Typing,
]);

/** What the handshake middleware attaches to each authenticated socket. */
export interface ChatSocketData {
  user: { id: number; username: string; exp: number; jti: string; ver: number };
  /** When this socket last announced typing (throttle). */
  lastTypingAt?: number;
}

/** Room that holds every open tab of one user. */
export const userRoom = (username: string): string => `user:${username}`;
/** Room that holds the sockets opened with one token (to close them on logout). */
export const tokenRoom = (jti: string): string => `token:${jti}`;
/** Sockets that get the whole online list on every change, and those that get changes only. */
export const PRESENCE_FULL_ROOM = 'presence:full';
export const PRESENCE_CHANGES_ROOM = 'presence:changes';

export const SERVER_ERRORS = {
  noSuchUser: ERROR_MESSAGES.no_such_user,
  /** Sent with the code internal_error. */
  internal: 'internal error',
  notStored: ERROR_MESSAGES.not_stored,
  historyUnavailable: ERROR_MESSAGES.history_unavailable,
} as const;
