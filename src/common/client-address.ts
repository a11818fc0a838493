import type { IncomingMessage } from 'node:http';

/** Express's compiled `trust proxy` setting: whether the hop `i` from us, at `address`, is ours. */
export type TrustProxy = (address: string, hop: number) => boolean;

/**
 * The client's address as Express's `req.ip` gives it under the same `trust proxy` setting
 * (proxy-addr's walk): from the TCP peer back along X-Forwarded-For, the first address not
 * trusted. socket.io's `handshake.address` is always the TCP peer, which behind nginx is nginx
 * for everyone; ChatIoAdapter uses this instead when TRUST_PROXY is set.
 */
export function clientAddress(req: IncomingMessage, trust: TrustProxy): string {
  const forwarded = [req.headers['x-forwarded-for'] ?? '']
    .flat()
    .join(',')
    .split(',')
    .map((address) => address.trim())
    .filter((address) => address !== '');
  const hops = [req.socket.remoteAddress ?? '', ...forwarded.reverse()];
  let i = 0;
  while (i < hops.length - 1 && trust(hops[i], i)) i++;
  return hops[i];
}
