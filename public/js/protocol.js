// The protocol as the pages use it (docs/protocol.md), in one place: event names, the error codes
// the pages act on, and the server's limits they check before sending. test/page-protocol.spec.ts
// holds every value here to the server's own, so that neither side can change one alone.
// No DOM and no browser globals, so that the test can load this module in Node.

/**
 * Socket.IO events, named as the server names them (ChatEvent). The original design's events are
 * its codes, carried as the strings '0' to '3'.
 */
export const ChatEvent = Object.freeze({
  /** A refusal or an error: `{user: '', data: reason, code}`. */
  Error: '0',
  /** The whole online list. */
  GroupList: '1',
  GroupChat: '2',
  SingleChat: '3',
  /** The catch-up after each connect, in pages. */
  History: 'history',
  Typing: 'typing',
  /** Who came online and who left, for the clients that ask with PRESENCE_CHANGES. */
  Presence: 'presence',
  /** Cluster mode, Redis was away: `{lastId}`; ask for a catch-up (CatchUp). */
  Resync: 'resync',
  /** To the server: `{lastId}`; the answer is `history` pages, as after a connect. */
  CatchUp: 'catch-up',
});

/**
 * `auth.presence` at the handshake: the whole online list ('1') once, then only changes
 * ('presence'), not the whole list every time someone comes or goes.
 */
export const PRESENCE_CHANGES = 'changes';

/** The group conversation: `to` of group typing, `with` of GET /messages, #select's value. */
export const GROUP = 'all';

/**
 * The error codes (`code` beside each error's English message: HTTP bodies, acknowledgements,
 * event '0', and `err.data.code` of a refused handshake) that the pages act on. The words shown
 * for every code are in strings.js.
 */
export const ErrorCode = Object.freeze({
  Unauthorized: 'unauthorized',
  TokenExpired: 'token_expired',
  ServiceUnavailable: 'service_unavailable',
  ServerRestarting: 'server_restarting',
});

/** The longest message text the server accepts (GroupMessageDto). */
export const MAX_TEXT_LENGTH = 2000;

/** Password lengths the server accepts at registration. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** Messages per GET /messages page: at most what the server sends in one. */
export const HISTORY_PAGE = 50;
