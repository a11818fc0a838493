import { describe, expect, it } from '@jest/globals';
import { TokenBuckets } from './token-buckets.js';

describe(TokenBuckets.name, () => {
  const at = (ms: { now: number }) => () => ms.now;

  it('takeAll takes every token asked for, or none', () => {
    const clock = { now: 0 };
    const buckets = new TokenBuckets(4, 1, at(clock));
    expect(buckets.takeAll('bob', 3)).toBe(true);
    expect(buckets.takeAll('bob', 3)).toBe(false);
    expect(buckets.take('bob')).toBe(0); // the one left is still there
    expect(buckets.take('bob')).toBeGreaterThan(0);
    clock.now += 3000;
    expect(buckets.takeAll('bob', 3)).toBe(true);
  });

  it('takeUpTo takes what whole tokens there are, never more', () => {
    const clock = { now: 0 };
    const buckets = new TokenBuckets(4, 1, at(clock));
    expect(buckets.takeUpTo('bob', 3)).toBe(3);
    expect(buckets.takeUpTo('bob', 3)).toBe(1);
    expect(buckets.takeUpTo('bob', 3)).toBe(0);
    clock.now += 1500;
    expect(buckets.takeUpTo('bob', 3)).toBe(1);
    expect(buckets.peek('bob')).toBeGreaterThan(0);
  });
});
