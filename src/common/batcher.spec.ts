import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Batcher } from './batcher.js';

describe(Batcher.name, () => {
  /** A run whose batches we can see and finish one at a time. */
  function recorder() {
    const batches: number[][] = [];
    const finishers: (() => void)[] = [];
    const run = (requests: number[]) => {
      batches.push(requests);
      return new Promise<number[]>((resolve) =>
        finishers.push(() => resolve(requests.map((r) => r * 10))),
      );
    };
    return { batches, finishers, run };
  }

  it('runs a lone request at once', async () => {
    const { batches, finishers, run } = recorder();
    const batcher = new Batcher(run, { concurrency: 1, maxBatch: 10, waitMs: 0 });
    const answer = batcher.ask(1);
    expect(batches).toEqual([[1]]);
    finishers[0]();
    await expect(answer).resolves.toBe(10);
  });

  it('sends what arrives while a batch runs together in the next, answering each its own', async () => {
    const { batches, finishers, run } = recorder();
    const batcher = new Batcher(run, { concurrency: 1, maxBatch: 3, waitMs: 0 });
    const answers = [1, 2, 3, 4, 5, 6].map((n) => batcher.ask(n));
    expect(batches).toEqual([[1]]);
    finishers[0]();
    await Promise.resolve();
    await Promise.resolve();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    finishers[1]();
    await new Promise((resolve) => setImmediate(resolve));
    finishers[2]();
    expect(await Promise.all(answers)).toEqual([10, 20, 30, 40, 50, 60]);
    expect(batches).toEqual([[1], [2, 3, 4], [5, 6]]);
  });

  it('runs up to `concurrency` batches at a time', () => {
    const { batches, run } = recorder();
    const batcher = new Batcher(run, { concurrency: 2, maxBatch: 10, waitMs: 0 });
    for (const n of [1, 2, 3, 4]) void batcher.ask(n);
    expect(batches).toEqual([[1], [2]]);
  });

  describe('in a crowd', () => {
    afterEach(() => {
      jest.useRealTimers();
    });

    it('lets a request close behind another wait waitMs for the rest, then sends them together', () => {
      jest.useFakeTimers();
      const { batches, run } = recorder();
      const batcher = new Batcher(run, { concurrency: 4, maxBatch: 10, waitMs: 25 });
      void batcher.ask(1); // alone: at once
      jest.advanceTimersByTime(5);
      void batcher.ask(2); // 5 ms behind: a crowd
      jest.advanceTimersByTime(10);
      void batcher.ask(3);
      expect(batches).toEqual([[1]]);
      jest.advanceTimersByTime(15);
      expect(batches).toEqual([[1], [2, 3]]);
      jest.advanceTimersByTime(100);
      void batcher.ask(4); // alone again
      expect(batches).toEqual([[1], [2, 3], [4]]);
    });
  });

  it('rejects every request of a failed batch, and goes on with the next', async () => {
    let calls = 0;
    const batcher = new Batcher<number, number>(
      (requests) => {
        calls += 1;
        return calls === 1 ? Promise.reject(new Error('database away')) : Promise.resolve(requests);
      },
      { concurrency: 1, maxBatch: 10, waitMs: 0 },
    );
    const first = batcher.ask(1);
    const second = batcher.ask(2);
    await expect(first).rejects.toThrow('database away');
    await expect(second).resolves.toBe(2);
  });
});
