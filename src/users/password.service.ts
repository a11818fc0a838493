import { createHash, timingSafeEqual } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { lowerHelperThreads } from './helper-threads.js';
import {
  HASH_THREAD_NICE,
  PASSWORD_HASH_OPTIONS,
  PASSWORD_HASH_PREFIX,
} from './password-hashing.js';

export interface PasswordCheck {
  ok: boolean;
  /** The stored value should be replaced by a fresh hash (plain text or outdated parameters). */
  needsRehash: boolean;
}

/**
 * argon2id hashing (parameters in password-hashing.ts). argon2 runs on libuv's thread pool, off
 * the event loop, and at most one hash per spare core runs at a time, so that a burst of logins
 * leaves room for the chat (on 2 cores: one hash at a time; the others queue). With p = 1 a hash
 * keeps exactly one core busy, on a thread whose priority is lowered after the first hash (when
 * the thread pool exists), so that on a busy machine the event loop runs first.
 */
@Injectable()
export class PasswordService {
  private dummyHash?: Promise<string>;
  private readonly slots = new Slots(Math.max(1, availableParallelism() - 1));
  private threadsLowered = false;

  hash(password: string): Promise<string> {
    return this.run(() => argon2.hash(password, PASSWORD_HASH_OPTIONS));
  }

  async check(stored: string, password: string): Promise<PasswordCheck> {
    if (stored.startsWith('$argon2')) {
      const ok = await this.verify(stored, password);
      return { ok, needsRehash: ok && isOutdated(stored) };
    }
    // A plain-text password adopted from the original design's table: compared in constant time
    // (digests have equal length whatever the inputs), and re-hashed by the caller on success.
    const ok = timingSafeEqual(sha256(stored), sha256(password));
    return { ok, needsRehash: ok };
  }

  /** Spends the time of a real check, so that an unknown user answers like a wrong password. */
  async spendCheckTime(password: string): Promise<void> {
    this.dummyHash ??= this.hash('not-a-real-password');
    await this.verify(await this.dummyHash, password);
  }

  private verify(hash: string, password: string): Promise<boolean> {
    return this.run(() => argon2.verify(hash, password)).catch(() => false);
  }

  private async run<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await this.slots.run(task);
    } finally {
      if (!this.threadsLowered) {
        this.threadsLowered = true;
        lowerHelperThreads(HASH_THREAD_NICE);
      }
    }
  }
}

/** Runs at most `size` tasks at once; the rest wait in order. */
class Slots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

/** Another argon2 variant, or argon2id with other parameters (an older default). */
function isOutdated(hash: string): boolean {
  return !hash.startsWith(PASSWORD_HASH_PREFIX) || argon2.needsRehash(hash, PASSWORD_HASH_OPTIONS);
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
