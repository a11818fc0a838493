import { increment } from '../common/counts.js';
import type { CapReached, CountedSocket, PresenceStore, SocketCaps } from './presence-store.js';

/** Single-process mode: the counts in this process are the whole truth. */
export class MemoryPresenceStore implements PresenceStore {
  readonly everyInstanceLearns = false;
  /** Open sockets per user; a user is online while they have one. Insertion order: arrival. */
  private readonly users = new Map<string, number>();
  private readonly ips = new Map<string, number>();
  private listener: (username: string) => void = () => {};

  add({ username, ip }: CountedSocket, caps?: SocketCaps): CapReached | null {
    const count = this.users.get(username) ?? 0;
    if (caps && count >= caps.perUser) return 'user';
    if (caps && ip !== undefined && (this.ips.get(ip) ?? 0) >= caps.perIp) return 'ip';
    this.users.set(username, count + 1);
    if (ip !== undefined) increment(this.ips, ip, 1);
    if (count === 0) this.listener(username);
    return null;
  }

  remove({ username, ip }: CountedSocket): void {
    const count = this.users.get(username) ?? 0;
    if (count === 0) return;
    if (ip !== undefined) increment(this.ips, ip, -1);
    if (count > 1) this.users.set(username, count - 1);
    else if (this.users.delete(username)) this.listener(username);
  }

  isOnline(username: string): boolean {
    return this.users.has(username);
  }

  usernames(): string[] {
    return [...this.users.keys()];
  }

  onChange(listener: (username: string) => void): void {
    this.listener = listener;
  }
}
