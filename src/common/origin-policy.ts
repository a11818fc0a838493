/**
 * Which browser origins may call us: the server's own (the page's Origin names the host the
 * request went to) and those listed in CORS_ORIGINS. A request without an Origin header does not
 * come from a page (curl, the socket.io Node client) and is let through; tokens guard it. Those
 * refused get ORIGIN_REFUSED (protocol/).
 */
export class OriginPolicy {
  private readonly allowed: Set<string>;

  constructor(origins: string[]) {
    this.allowed = new Set(origins.map((origin) => origin.toLowerCase().replace(/\/$/, '')));
  }

  isAllowed(origin: string | undefined, host: string | undefined): boolean {
    if (origin === undefined) return true;
    if (this.allowed.has(origin.toLowerCase())) return true;
    try {
      return host !== undefined && new URL(origin).host.toLowerCase() === host.toLowerCase();
    } catch {
      return false;
    }
  }
}
