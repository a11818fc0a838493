import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';

/**
 * Gives every thread of this process but the event loop's the nice value `nice` (when it is
 * lower): libuv's thread pool, where argon2 hashes, and V8's helpers. On a busy machine the
 * event loop then gets the CPU before a hash does, so a storm of logins slows down rather than
 * the chat. Linux only (there a nice value belongs to a thread: setpriority takes a thread id);
 * elsewhere, or inside a worker thread, nothing happens. Call it once the thread pool has
 * started (after a first hash): a thread started later has the nice value of the thread that
 * starts it. Returns how many threads it lowered.
 */
export function lowerHelperThreads(nice: number): number {
  if (process.platform !== 'linux' || !isMainThread) return 0;
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return 0;
  }
  let lowered = 0;
  for (const task of tasks) {
    const id = Number(task);
    if (id === process.pid) continue;
    try {
      if (getPriority(id) < nice) {
        setPriority(id, nice);
        lowered++;
      }
    } catch {
      // The thread has ended meanwhile.
    }
  }
  return lowered;
}
