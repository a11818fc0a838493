/** GET /messages: a page of this many messages unless the client asks otherwise... */
export const HISTORY_DEFAULT_LIMIT = 50;
/** ...and never more than this. */
export const HISTORY_MAX_LIMIT = 200;

/**
 * One conversation: the group (`all`) or the private one between user `me` and the name `with`
 * (whoever holds it now, and removed accounts that held it).
 */
export type Conversation = { kind: 'group' } | { kind: 'private'; me: number; with: string };
