import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { bucketWindow, createRateLimiter } from './rate-limiters.js';

describe(createRateLimiter.name, () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  /** In-process (no Redis): 4 points per 4 s, a bucket of 4 refilled at 1 a second. */
  const limit = () => createRateLimiter(null, { keyPrefix: 't', ...bucketWindow(4, 1) });

  it('take: a point while there is one, then the wait until the window ends', async () => {
    const events = limit();
    for (let i = 0; i < 4; i++) expect(await events.take('bob')).toBe(0);
    jest.advanceTimersByTime(1000);
    expect(await events.take('bob')).toBe(3000);
    // A refused take does not move the window's end.
    expect(await events.take('bob')).toBe(3000);
    expect(await events.take('alice')).toBe(0);
    jest.advanceTimersByTime(3000);
    expect(await events.take('bob')).toBe(0);
  });

  it('takeAll takes every point asked for, or none', async () => {
    const events = limit();
    expect(await events.takeAll('bob', 3)).toBe(true);
    expect(await events.takeAll('bob', 3)).toBe(false);
    expect(await events.take('bob')).toBe(0); // the one left is still there
    expect(await events.take('bob')).toBeGreaterThan(0);
    jest.advanceTimersByTime(4000);
    expect(await events.takeAll('bob', 3)).toBe(true);
  });

  it('takeUpTo takes what points there are, never more', async () => {
    const events = limit();
    expect(await events.takeUpTo('bob', 3)).toBe(3);
    expect(await events.takeUpTo('bob', 3)).toBe(1);
    expect(await events.takeUpTo('bob', 3)).toBe(0);
    expect(await events.peek('bob')).toBeGreaterThan(0);
    jest.advanceTimersByTime(4000);
    expect(await events.takeUpTo('bob', 3)).toBe(3);
    expect(await events.peek('bob')).toBe(0);
  });

  it('peek does not take; reset gives the whole budget back', async () => {
    const events = limit();
    expect(await events.peek('bob')).toBe(0);
    for (let i = 0; i < 4; i++) await events.take('bob');
    expect(await events.peek('bob')).toBe(4000);
    await events.reset('bob');
    expect(await events.peek('bob')).toBe(0);
    expect(await events.takeAll('bob', 4)).toBe(true);
  });
});

describe(bucketWindow.name, () => {
  it('keeps the burst and the long-run rate; rounds a window up to whole seconds', () => {
    expect(bucketWindow(30, 10)).toEqual({ points: 30, duration: 3 });
    expect(bucketWindow(5, 1)).toEqual({ points: 5, duration: 5 });
    expect(bucketWindow(10, 3)).toEqual({ points: 10, duration: 4 });
    expect(bucketWindow(5, 100)).toEqual({ points: 5, duration: 1 });
  });
});
