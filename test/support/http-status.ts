import request from 'supertest';
import { sleep } from './chat-client.js';

/** Polls GET `path` until it answers `status` (readiness answers are reused for 1 s). */
export async function untilStatus(url: string, path: string, status: number, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await request(url).get(path);
    if (res.status === status) return res;
    if (Date.now() > deadline) {
      throw new Error(`${path} answered ${res.status} ${JSON.stringify(res.body)}, not ${status}`);
    }
    await sleep(100);
  }
}
