import type {
  AckResponse,
  ErrorNotice,
  GroupChatMessage,
  HistoryPage,
  PresenceChanges,
  ResyncNotice,
  ServerMessage,
  SingleChatMessage,
  TypingNotice,
} from './payloads.js';

/**
 * The wire protocol (docs/protocol.md). The original design's events are its
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
  /**
   * Server → client, cluster mode: messages from other instances may not have reached you (Redis
   * was away); ask for a catch-up (`catch-up`) from your lastId, or from the notice's if smaller.
   */
  Resync: 'resync',
  /** Client → server: `{lastId}`; answered with `history` pages, as the catch-up after a connect. */
  CatchUp: 'catch-up',
} as const;

/**
 * `auth.presence` at the handshake: 'changes' to get the whole online list ('1') once on connect
 * and then only who came online and who left ('presence'); otherwise the whole list on every
 * change (the original protocol; it costs every client the whole list each time).
 */
export const PRESENCE_CHANGES = 'changes';

export interface ServerToClientEvents {
  [ChatEvent.Error]: (message: ErrorNotice) => void;
  [ChatEvent.GroupList]: (message: ServerMessage<string[]>) => void;
  [ChatEvent.GroupChat]: (message: ServerMessage | GroupChatMessage) => void;
  [ChatEvent.SingleChat]: (message: SingleChatMessage) => void;
  [ChatEvent.History]: (page: HistoryPage) => void;
  [ChatEvent.Typing]: (notice: TypingNotice) => void;
  [ChatEvent.Presence]: (changes: PresenceChanges) => void;
  [ChatEvent.Resync]: (notice: ResyncNotice) => void;
}

export interface ClientToServerEvents {
  [ChatEvent.GroupChat]: (payload: unknown, ack?: (response: AckResponse) => void) => void;
  [ChatEvent.SingleChat]: (payload: unknown, ack?: (response: AckResponse) => void) => void;
  [ChatEvent.Typing]: (payload: unknown) => void;
  [ChatEvent.CatchUp]: (payload: unknown) => void;
}

/**
 * The events ChatGateway has handlers for (ClientToServerEvents): WsRateLimitGuard counts these,
 * a socket middleware counts every other event a client sends.
 */
export const HANDLED_EVENTS: ReadonlySet<string> = new Set<keyof ClientToServerEvents>([
  ChatEvent.GroupChat,
  ChatEvent.SingleChat,
  ChatEvent.Typing,
  ChatEvent.CatchUp,
]);
