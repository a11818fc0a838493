import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

const HASH_OPTIONS = { type: argon2.argon2id } as const;

export interface PasswordCheck {
  ok: boolean;
  /** The stored value should be replaced by a fresh hash (plain text or outdated parameters). */
  needsRehash: boolean;
}

/** argon2id hashing. argon2 runs on libuv's thread pool, off the event loop. */
@Injectable()
export class PasswordService {
  private dummyHash?: Promise<string>;

  hash(password: string): Promise<string> {
    return argon2.hash(password, HASH_OPTIONS);
  }

  async check(stored: string, password: string): Promise<PasswordCheck> {
    if (stored.startsWith('$argon2')) {
      const ok = await argon2.verify(stored, password).catch(() => false);
      return { ok, needsRehash: ok && argon2.needsRehash(stored) };
    }
    // A plain-text password adopted from the original design's table: compared in constant time
    // (digests have equal length whatever the inputs), and re-hashed by the caller on success.
    const ok = timingSafeEqual(sha256(stored), sha256(password));
    return { ok, needsRehash: ok };
  }

  /** Spends the time of a real check, so that an unknown user answers like a wrong password. */
  async spendCheckTime(password: string): Promise<void> {
    this.dummyHash ??= this.hash('not-a-real-password');
    await argon2.verify(await this.dummyHash, password).catch(() => false);
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
