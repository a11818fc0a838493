import type { StoredMessage } from './stored-message.js';

/** Recent messages sent on a fresh connect. */
export const RECENT_ON_CONNECT = 100;
/** A catch-up goes out in `history` pages of at most this many messages (plus recent ones). */
export const CATCH_UP_PAGE = 500;
/**
 * A reconnect's catch-up from `lastId` is sent whole only up to these: beyond them (or beyond
 * the user's event budget) the client gets the newest messages instead, with `more: true`, and
 * pages back through GET /messages.
 */
export const CATCH_UP_MAX_MESSAGES = 2000;
export const CATCH_UP_MAX_BYTES = 512 * 1024;
/**
 * The catch-up window before `lastId` (CATCH_UP_WINDOW_MS) spans at most this many ids: what a
 * reconnect costs stays bounded however busy the chat.
 */
export const CATCH_UP_WINDOW_MAX_IDS = 2000;

/** One `history` page of a catch-up. */
export interface CatchUpPage {
  messages: StoredMessage[];
  /** Every message waiting for the user with an id after this, up to the page's last, is in it. */
  after: number;
  /** The catch-up's last page. */
  done: boolean;
  /**
   * Messages the client may see were left out before this catch-up's oldest: the gap after its
   * `lastId` was too long (or over budget), or, on a fresh connect, there is older history.
   */
  more: boolean;
}

/** What a catch-up costs the user: one socket event per page (see SocketLimits). */
export interface CatchUpBudget {
  /** Takes `pages` events from the user's budget if it holds them all; else takes none. */
  afford(pages: number): Promise<boolean>;
  /** Takes up to `pages` events: for pages that go out anyway (newest, and waiting messages). */
  charge(pages: number): Promise<void>;
}
