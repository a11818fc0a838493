import { readdirSync } from 'node:fs';
import { getPriority } from 'node:os';
import { describe, expect, it } from '@jest/globals';
import * as argon2 from 'argon2';
import { lowerHelperThreads } from './helper-threads.js';

const onLinux = process.platform === 'linux' ? it : it.skip;

describe(lowerHelperThreads.name, () => {
  onLinux('lowers every thread of the process but the event loop', async () => {
    await argon2.hash('starts the thread pool', { type: argon2.argon2id, parallelism: 1 });
    const main = getPriority(process.pid);
    const others = readdirSync('/proc/self/task')
      .map(Number)
      .filter((id) => id !== process.pid);
    expect(others.length).toBeGreaterThan(0);

    lowerHelperThreads(main + 3);

    expect(getPriority(process.pid)).toBe(main);
    for (const id of others) expect(getPriority(id)).toBeGreaterThanOrEqual(main + 3);
    // Nothing left to lower at the same value.
    expect(lowerHelperThreads(main + 3)).toBe(0);
  });
});
