import type { Socket } from 'socket.io';

/** Bytes queued by engine.io for this client plus those buffered by its WebSocket. */
export function pendingBytes(socket: Socket): number {
  const conn = socket.conn as unknown as {
    writeBuffer?: { data?: unknown }[];
    transport?: { socket?: { bufferedAmount?: number } };
  };
  let bytes = conn.transport?.socket?.bufferedAmount ?? 0;
  for (const packet of conn.writeBuffer ?? []) {
    const data = packet.data;
    if (typeof data === 'string') bytes += Buffer.byteLength(data);
    else if (data instanceof Uint8Array || data instanceof ArrayBuffer) bytes += data.byteLength;
  }
  return bytes;
}

/**
 * Waits (at most `limitMs`) until what was written to these sockets has left the process (all
 * but `leftBytes`).
 */
export async function flushed(sockets: Socket[], limitMs: number, leftBytes = 0): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline && sockets.some((socket) => pendingBytes(socket) > leftBytes)) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Closes a socket without waiting to flush what it has not read (a plain disconnect would wait
 * for a drain that never comes), and frees its buffers at once.
 */
export function dropNow(socket: Socket): void {
  socket.disconnect();
  const conn = socket.conn as unknown as {
    close(discard: boolean): void;
    transport?: { socket?: { terminate?: () => void } };
  };
  conn.transport?.socket?.terminate?.();
  conn.close(true);
}
