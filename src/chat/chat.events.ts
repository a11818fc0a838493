/**
 * The wire protocol (see PROTOCOL.md). Event names are the original design's codes; socket.io
 * carries them as the strings '0' to '3'.
 */
export const ChatEvent = {
  Error: '0',
  GroupList: '1',
  GroupChat: '2',
  SingleChat: '3',
} as const;

/** Every server → client payload has this shape; `user` is '' for messages from the server. */
export interface ServerMessage<T = string> {
  user: string;
  data: T;
}

export interface GroupChatMessage extends ServerMessage {
  ts: number;
}

export interface SingleChatMessage extends ServerMessage {
  to: string;
  ts: number;
}

export type AckResponse = { status: 1; ts: number } | { status: 0; msg: string };

export interface ServerToClientEvents {
  [ChatEvent.Error]: (message: ServerMessage) => void;
  [ChatEvent.GroupList]: (message: ServerMessage<string[]>) => void;
  [ChatEvent.GroupChat]: (message: ServerMessage | GroupChatMessage) => void;
  [ChatEvent.SingleChat]: (message: SingleChatMessage) => void;
}

export interface ClientToServerEvents {
  [ChatEvent.GroupChat]: (payload: unknown, ack?: (response: AckResponse) => void) => void;
  [ChatEvent.SingleChat]: (payload: unknown, ack?: (response: AckResponse) => void) => void;
}

/** What the handshake middleware attaches to each authenticated socket. */
export interface ChatSocketData {
  user: { id: number; username: string; exp: number };
}

/** Room that holds every open tab of one user. */
export const userRoom = (username: string): string => `user:${username}`;

export const SERVER_ERRORS = {
  notOnline: 'recipient is not online',
  internal: 'internal error',
} as const;
