// A page of history (GET /messages, MessagesService.page): which conversation, how many messages.

export const HISTORY_DEFAULT_LIMIT = 50;
export const HISTORY_MAX_LIMIT = 200;

/**
 * One conversation: the group (`all`) or the private one between user `me` and the name `with`
 * (whoever holds it now, and removed accounts that held it).
 */
export type Conversation = { kind: 'group' } | { kind: 'private'; me: number; with: string };
