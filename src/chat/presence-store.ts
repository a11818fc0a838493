/** One open socket, as presence and the socket caps count it. */
export interface CountedSocket {
  /** socket.io's id: unique across instances. */
  id: string;
  username: string;
  /** Absent for connections counted without an address (tests). */
  ip?: string;
}

/** MAX_SOCKETS_PER_USER and MAX_SOCKETS_PER_IP. */
export interface SocketCaps {
  perUser: number;
  perIp: number;
}

/** Which cap a socket would exceed. */
export type CapReached = 'user' | 'ip';

/**
 * The one count of open sockets, per user and per address, and from it who is online.
 * MemoryPresenceStore in one process; RedisPresenceStore across instances (cluster mode).
 * PresenceService owns it; an abstract class so that it can be injected by its type.
 */
export abstract class PresenceStore {
  /**
   * Whether every instance learns each change by itself: then each tells only its own sockets
   * (a broadcast through the adapter from each would reach every client once per instance).
   */
  abstract readonly everyInstanceLearns: boolean;

  /**
   * Counts the socket in, unless its user or its address has reached a cap (checked and counted
   * in one step, so two sockets opening at once cannot both take the last place): null, or the
   * cap. Without caps it always counts.
   */
  abstract add(
    socket: CountedSocket,
    caps?: SocketCaps,
  ): CapReached | null | Promise<CapReached | null>;

  /** Counts the socket out (an unknown one is ignored). */
  abstract remove(socket: CountedSocket): void;

  abstract isOnline(username: string): boolean;

  /** The online users, each once, in the order they came online. */
  abstract usernames(): string[];

  /** `listener` is called with a user whose status (online or not) may have changed. */
  abstract onChange(listener: (username: string) => void): void;

  /** Before the first socket (cluster mode: registers this instance). */
  start?(): Promise<void>;

  /** When the server stops (cluster mode: this instance's sockets leave at once). */
  stop?(): Promise<void>;
}
