import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';

/**
 * Whether this instance is stopping. main.ts sets it the moment SIGTERM arrives, before the drain
 * (and before DRAIN_DELAY_MS), so that readiness fails while the instance still serves; an
 * `app.close()` from elsewhere sets it too.
 */
@Injectable()
export class ShutdownState implements BeforeApplicationShutdown {
  private why: string | null = null;

  get draining(): boolean {
    return this.why !== null;
  }

  get reason(): string | null {
    return this.why;
  }

  startDraining(why: string): void {
    this.why ??= why;
  }

  beforeApplicationShutdown(): void {
    this.startDraining('stopping');
  }
}
