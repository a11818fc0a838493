import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy between the app and its database, which a test can cut: existing connections
 * are destroyed and new ones are accepted but never forwarded (as when the database host is
 * unreachable), then restore.
 */
export interface TcpProxy {
  port: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(
  targetHost: string,
  targetPort: number,
  /** The address to connect from (127.0.0.x): what the target sees as the client's. */
  options: { localAddress?: string } = {},
): Promise<TcpProxy> {
  let cut = false;
  const live = new Set<Socket>();
  const server: Server = createServer((client) => {
    live.add(client);
    client.on('close', () => live.delete(client));
    client.on('error', () => client.destroy());
    if (cut) return; // accepted, never answered
    const upstream = createConnection({
      port: targetPort,
      host: targetHost,
      localAddress: options.localAddress,
    });
    live.add(upstream);
    upstream.on('close', () => {
      live.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut() {
      cut = true;
      for (const socket of live) socket.destroy();
    },
    restore() {
      cut = false;
      // Connections accepted while cut were never forwarded; drop them so clients reconnect.
      for (const socket of live) socket.destroy();
    },
    close() {
      for (const socket of live) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
