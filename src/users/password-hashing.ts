import * as argon2 from 'argon2';

/**
 * The argon2id parameters of every password hash: registration, logins (the dummy check of an
 * unknown name too) and `npm run user`; benchmarks that seed users import them from dist. A stored
 * hash with any other parameters is replaced at its user's next login.
 *
 * OWASP's Password Storage Cheat Sheet minimum m = 19 MiB, t = 2, p = 1. p = 1 computes a hash
 * on one thread, so one hash at a time leaves the other core to the chat (the library default,
 * 64 MiB, t = 3, p = 4, spread one verify over about 1.5 cores). CPU per verify of OWASP's
 * equivalent settings here (2-core Xeon VM, Node 20, medians of alternated rounds of 10
 * verifies, the machine shared with other work): 19 MiB t=2 19-21 ms; 12 MiB t=3 18-19 ms
 * (as cheap, with less memory); 46 MiB t=1 50-53 ms; 64 MiB t=3 p=4 (before) 177 ms. So a core
 * checks about 50 logins/s instead of 6.
 */
export const PASSWORD_HASH_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456, // KiB
  timeCost: 2,
  parallelism: 1,
} as const;

/** What a hash made with PASSWORD_HASH_OPTIONS begins with (argon2.needsRehash ignores the type). */
export const PASSWORD_HASH_PREFIX = '$argon2id$';

/**
 * The nice value of the threads that hash (and of every other thread but the event loop's): on a
 * busy machine a hash waits for the chat, not the other way round. 10, not 19: a hash still gets
 * about a tenth of a core against a saturated event loop, so logins slow down but do not stop.
 */
export const HASH_THREAD_NICE = 10;
