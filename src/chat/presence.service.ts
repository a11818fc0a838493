import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { DeliveryService } from './delivery.service.js';

/**
 * Who is online: a count of open connections per user, so a user with several tabs is listed
 * once. Changes are coalesced: however many users join or leave within one window
 * (PRESENCE_FLUSH_MS), everyone receives one updated list, so 2,000 joins cost a few
 * broadcasts instead of 2,000 (the original sent the whole list to everyone on every join).
 */
@Injectable()
export class PresenceService implements OnModuleDestroy {
  private readonly connections = new Map<string, number>();
  private snapshot: string[] | null = [];
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly delivery: DeliveryService,
    private readonly config: AppConfig,
  ) {}

  /** Records one more connection of this user. */
  add(username: string): void {
    const count = this.connections.get(username) ?? 0;
    this.connections.set(username, count + 1);
    if (count === 0) this.changed();
  }

  /** Records that one connection of this user closed. */
  remove(username: string): void {
    const count = this.connections.get(username) ?? 0;
    if (count <= 1) {
      if (this.connections.delete(username)) this.changed();
    } else {
      this.connections.set(username, count - 1);
    }
  }

  isOnline(username: string): boolean {
    return this.connections.has(username);
  }

  /** The online users, each once, in the order they came online. Rebuilt only after a change. */
  list(): string[] {
    this.snapshot ??= [...this.connections.keys()];
    return this.snapshot;
  }

  onModuleDestroy(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
  }

  private changed(): void {
    this.snapshot = null;
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = null;
      this.delivery.onlineListToEveryone(this.list());
    }, this.config.presenceFlushMs);
  }
}
