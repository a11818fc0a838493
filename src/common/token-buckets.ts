/**
 * Token buckets by key: each holds up to `capacity` tokens and regains `refillPerSecond`
 * continuously, so a limit is never permanent, only a wait. Full buckets are forgotten when the
 * map grows, which keeps memory to the keys active recently.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private pruneAtSize = 10000;

  constructor(
    private readonly capacity: number,
    private readonly refillPerSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token if there is one: 0. Otherwise the milliseconds until there will be. */
  take(key: string): number {
    const bucket = this.current(key);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.buckets.set(key, bucket);
      this.forgetFullBuckets();
      return 0;
    }
    return this.waitFor(bucket);
  }

  /** Takes `count` tokens if there are that many (true); otherwise takes none (false). */
  takeAll(key: string, count: number): boolean {
    const bucket = this.current(key);
    if (bucket.tokens < count) return false;
    bucket.tokens -= count;
    this.buckets.set(key, bucket);
    this.forgetFullBuckets();
    return true;
  }

  /** Takes up to `count` whole tokens, as many as there are; returns how many it took. */
  takeUpTo(key: string, count: number): number {
    const bucket = this.current(key);
    const taken = Math.max(0, Math.min(count, Math.floor(bucket.tokens)));
    bucket.tokens -= taken;
    this.buckets.set(key, bucket);
    this.forgetFullBuckets();
    return taken;
  }

  /** Milliseconds until a token is available, without taking one (0: available now). */
  peek(key: string): number {
    const bucket = this.current(key);
    return bucket.tokens >= 1 ? 0 : this.waitFor(bucket);
  }

  /** Gives the key its full capacity back. */
  reset(key: string): void {
    this.buckets.delete(key);
  }

  private current(key: string): { tokens: number; at: number } {
    const now = this.now();
    const bucket = this.buckets.get(key);
    if (!bucket) return { tokens: this.capacity, at: now };
    const tokens = Math.min(
      this.capacity,
      bucket.tokens + ((now - bucket.at) / 1000) * this.refillPerSecond,
    );
    return { tokens, at: now };
  }

  private waitFor(bucket: { tokens: number }): number {
    return Math.ceil(((1 - bucket.tokens) / this.refillPerSecond) * 1000);
  }

  private forgetFullBuckets(): void {
    if (this.buckets.size < this.pruneAtSize) return;
    for (const key of this.buckets.keys()) {
      if (this.current(key).tokens >= this.capacity) this.buckets.delete(key);
    }
    this.pruneAtSize = Math.max(10000, this.buckets.size * 2);
  }
}
