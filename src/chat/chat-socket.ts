import type { Server, Socket } from 'socket.io';
import type { AuthenticatedUser } from '../auth/token.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../protocol/index.js';

/** What the handshake (ChatHandshake) attaches to each authenticated socket. */
export interface ChatSocketData {
  user: AuthenticatedUser;
  /** When this socket last announced typing (throttle). */
  lastTypingAt?: number;
}

export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, object, ChatSocketData>;
export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, object, ChatSocketData>;

/** Room that holds every open tab of one user. */
export const userRoom = (username: string): string => `user:${username}`;
/** Room that holds the sockets opened with one token (to close them on logout). */
export const tokenRoom = (jti: string): string => `token:${jti}`;
/** Sockets that get the whole online list on every change, and those that get changes only. */
export const PRESENCE_FULL_ROOM = 'presence:full';
export const PRESENCE_CHANGES_ROOM = 'presence:changes';
