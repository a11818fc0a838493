import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';

/** One limit: `points` per window of `duration` seconds, per key. */
export interface RateLimitOptions {
  /** Names the limit (its keys in Redis start with it): one per limit. */
  keyPrefix: string;
  points: number;
  /** Whole seconds, at least 1 (RateLimiterRedis stores the window with a whole-second EX). */
  duration: number;
}

/**
 * The window that stands for a token bucket of `capacity` refilled at `perSecond`.
 *
 * rate-limiter-flexible counts fixed windows, not buckets (it has no token bucket; `execEvenly`
 * delays allowed actions instead of refusing, which would hold acks back, and BurstyRateLimiter
 * lets the steady rate and the burst add up). So the bucket becomes `capacity` points per
 * capacity / perSecond seconds, the time the bucket takes to fill: the same burst at once
 * (capacity), the same long-run rate (perSecond), and a limit is still only a wait, at most one
 * window. What differs: a spent window comes back whole when it ends instead of a token at a
 * time (a refused event waits up to the window, default 3 s, rather than 1/perSecond), and
 * across the end of one window and the start of the next up to 2 x capacity can pass in a short
 * time (a bucket allows capacity + perSecond x t in any t, so the same 2 x capacity over one
 * window). The window starts at the key's first use, not on a clock. When capacity / perSecond
 * is not whole seconds the window is rounded up: the long-run rate comes out a little lower than
 * configured, never higher, and the burst stays exactly `capacity`.
 */
export function bucketWindow(
  capacity: number,
  perSecond: number,
): Pick<RateLimitOptions, 'points' | 'duration'> {
  return { points: capacity, duration: Math.max(1, Math.ceil(capacity / perSecond)) };
}

/**
 * A limit counted cluster-wide in Redis when there is one (`redis`: RedisService.client), else in
 * this process: one code path either way. In cluster mode a RateLimiterMemory with the same
 * options insures it: while Redis is away (the client fails commands at once,
 * `rejectIfRedisNotReady`) or slow (its 1 s command timeout), each instance counts alone, so a
 * limit holds per instance and nothing waits on Redis for longer than that timeout. When Redis
 * comes back it counts again from there (its keys may be gone: a restarted Redis starts empty).
 */
export function createRateLimiter(redis: Redis | null, options: RateLimitOptions): RateLimit {
  const memory = new RateLimiterMemory(options);
  if (!redis) return new RateLimit(memory, options.points);
  const limiter = new RateLimiterRedis({
    ...options,
    keyPrefix: `chat:limit:${options.keyPrefix}`,
    storeClient: redis,
    rejectIfRedisNotReady: true,
    insuranceLimiter: memory,
  });
  return new RateLimit(limiter, options.points);
}

/**
 * What the limits need, on rate-limiter-flexible: take one, take all or none, take what is left,
 * look without taking, give a key its budget back. A refused consume still counts its points in
 * rate-limiter-flexible (harmless for single events: the window's end does not move), so
 * `takeAll` and `takeUpTo` give back what they must not keep; another consume of the same key in
 * between may see the budget lower for that moment.
 */
export class RateLimit {
  constructor(
    private readonly limiter: RateLimiterAbstract,
    readonly points: number,
  ) {}

  /** Takes one point if there is one: 0. Otherwise the milliseconds until there will be. */
  async take(key: string): Promise<number> {
    try {
      await this.limiter.consume(key, 1);
      return 0;
    } catch (error) {
      return waitOf(refusal(error));
    }
  }

  /** Takes `count` points if there are that many (true); otherwise takes none (false). */
  async takeAll(key: string, count: number): Promise<boolean> {
    try {
      await this.limiter.consume(key, count);
      return true;
    } catch (error) {
      refusal(error);
      await this.limiter.reward(key, count);
      return false;
    }
  }

  /** Takes up to `count` points, as many as there are; returns how many it took. */
  async takeUpTo(key: string, count: number): Promise<number> {
    try {
      await this.limiter.consume(key, count);
      return count;
    } catch (error) {
      const over = Math.min(count, refusal(error).consumedPoints - this.points);
      await this.limiter.reward(key, over);
      return count - over;
    }
  }

  /** Milliseconds until a point is available, without taking one (0: available now). */
  async peek(key: string): Promise<number> {
    const res = await this.limiter.get(key);
    return res && res.consumedPoints >= this.points ? waitOf(res) : 0;
  }

  /** Gives the key its whole budget back. */
  async reset(key: string): Promise<void> {
    await this.limiter.delete(key);
  }
}

/** A refusal (over the limit) as such; anything else (no insurance could answer) is thrown on. */
function refusal(error: unknown): RateLimiterRes {
  if (error instanceof RateLimiterRes) return error;
  throw error;
}

function waitOf(res: RateLimiterRes): number {
  return Math.max(1, res.msBeforeNext);
}
