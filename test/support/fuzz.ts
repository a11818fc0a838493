import fc from 'fast-check';
import { b64url, signHs256 } from './tokens.js';

/**
 * Arbitraries and oracles for test/fuzz.e2e-spec.ts: random shapes that socket.io and HTTP can
 * carry, and what the documented protocol says the server must do with each.
 */

export const MAX_TEXT = 2000;
export const CID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Event names a socket.io client may not emit (the client itself throws on them). */
const RESERVED_EVENTS = new Set([
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener',
]);

// ---------------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------------

const blank = fc
  .array(
    fc.constantFrom(
      ...[' ', '\t', '\n', '\r', '\u00a0', '\u2028', '\ufeff', '\u3000', '\v'],
      ...['\u200b', '\u2060', '\u3164', '\ufe0f', '\u034f', '\u{e0100}'],
    ),
    { maxLength: 8 },
  )
  .map((a) => a.join(''));

/** Strings the validator must judge: short, unicode, blank, padded, at and around 2,000. */
export const textArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 2, arbitrary: blank },
  {
    weight: 2,
    arbitrary: fc
      .tuple(blank, fc.string({ minLength: 1, maxLength: 20 }), blank)
      .map(([a, b, c]) => a + b + c),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom('a', '你', '😀', 'é', '\u0301', '\ufe0f', 'x\ufe0f'),
        fc.integer({ min: 1990, max: 2010 }),
      )
      .map(([unit, n]) => unit.repeat(n)),
  },
  // 60 KB: far over the text limit, under the socket message limit (64 KB).
  {
    weight: 1,
    arbitrary: fc.constantFrom('x'.repeat(60_000), '\u0000', '<script>alert(1)</script>'),
  },
  // Lone surrogates: legal in a JS string and in JSON (escaped), not in UTF-8.
  { weight: 1, arbitrary: fc.constantFrom('\ud800', 'a\udc00b', '\udbff\ud800', 'ok\ud83d') },
);

/** Blank, as docs/protocol.md says: only whitespace and default-ignorable code points (U+200B…). */
export function isBlankText(text: string): boolean {
  return /^[\s\p{Default_Ignorable_Code_Point}]*$/u.test(text);
}

/** Texts the server must accept: not blank, at most 2,000 characters. */
export const goodTextArb: fc.Arbitrary<string> = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 60 })
  .filter((s) => !isBlankText(s));

export const goodCidArb = fc.stringMatching(CID_PATTERN);

// ---------------------------------------------------------------------------------------------
// Values socket.io can carry
// ---------------------------------------------------------------------------------------------

const anythingArb = fc.anything({
  maxDepth: 4,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  // BigInt cannot be serialised (JSON.stringify throws in the client, not the server).
  withBigInt: false,
});

const binaryArb = fc
  .uint8Array({ maxLength: 64 })
  .map((a) => (a.length % 2 ? Buffer.from(a) : a) as unknown);

/** Anything as a field value. */
const fieldArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: textArb },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: anythingArb },
  { weight: 1, arbitrary: binaryArb },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      null,
      undefined,
      0,
      -0,
      NaN,
      Infinity,
      true,
      [],
      {},
      ['hello'],
      { toString: 'x' },
      { length: 3 },
    ),
  },
);

const toArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'bob',
      'observer',
      'attacker',
      'nobody',
      'all',
      '',
      'Bob',
      ' bob',
      'bob ',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'bob\u0000',
      'o\u0308bserver',
    ),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fieldArb },
);

const cidArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: goodCidArb },
  { weight: 2, arbitrary: fc.constantFrom('c1', 'c2', 'dup-cid') },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{65,70}$/) },
  { weight: 1, arbitrary: fc.constantFrom('', 'has space', 'ü', 'a/b', 'x'.repeat(64)) },
  { weight: 2, arbitrary: fieldArb },
);

/** Objects with data/to/cid (each maybe missing) of random types, plus noise. */
const shapedArb = fc
  .record(
    {
      data: fc.oneof({ weight: 3, arbitrary: textArb }, { weight: 1, arbitrary: fieldArb }),
      to: toArb,
      cid: cidArb,
      user: fc.oneof(fc.constant('mallory'), fc.string()),
      id: fc.oneof(fc.integer(), fc.string()),
      ts: fc.oneof(fc.integer(), fc.string()),
    },
    { requiredKeys: [] },
  )
  .chain((base) =>
    fc.dictionary(fc.string({ maxLength: 8 }), fieldArb, { maxKeys: 3 }).map((noise) => ({
      ...noise,
      ...base,
    })),
  );

/** Looks right, and mostly is. */
const validLookingArb = fc.record(
  {
    data: goodTextArb,
    to: fc.constantFrom('bob', 'observer', 'attacker', 'nobody', 'all'),
    cid: fc.oneof(goodCidArb, fc.constantFrom('c1', 'c2', 'dup-cid')),
  },
  { requiredKeys: ['data'] },
);

/** Own `__proto__` / `constructor` keys, as JSON.parse makes them. */
const pollutingArb = fc
  .tuple(
    fc.constantFrom('__proto__', 'constructor', 'prototype'),
    goodTextArb,
    fc.constantFrom('bob', 'observer', 'nobody'),
  )
  .map(
    ([key, data, to]) =>
      JSON.parse(
        JSON.stringify({ [key]: { data, to, polluted: 'yes', prototype: { polluted: 'yes' } } }),
      ) as unknown,
  );

const longArb = fc.constantFrom(
  { data: 'a'.repeat(2000) },
  { data: 'a'.repeat(2001) },
  { data: '😀'.repeat(2000) },
  { data: '😀'.repeat(2001) },
  { data: ' '.repeat(5000) + 'x' },
  { data: ' '.repeat(1000) + 'x' + ' '.repeat(1000) },
  { data: 'x', cid: 'a'.repeat(64) },
  { data: 'x', cid: 'a'.repeat(65) },
  nested(1000),
  nestedArray(1000),
);

function nested(depth: number): unknown {
  let value: unknown = { data: 'deep', to: 'bob' };
  for (let i = 0; i < depth; i++) value = { data: value };
  return named(value as object, `nested(${depth})`);
}

function nestedArray(depth: number): unknown {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i++) value = [value];
  return named({ data: 'x', to: value, cid: value }, `nestedArray(${depth})`);
}

/** How fast-check prints a value too deep for its own printer (JSON ignores symbol keys). */
function named<T extends object>(value: T, name: string): T {
  Object.defineProperty(value, fc.toStringMethod, { value: () => name });
  return value;
}

/** A payload for any event. */
export const payloadArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: shapedArb },
  { weight: 4, arbitrary: validLookingArb },
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 3, arbitrary: anythingArb },
  { weight: 1, arbitrary: binaryArb },
  { weight: 1, arbitrary: pollutingArb },
  { weight: 1, arbitrary: longArb },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined, 0, '', 'hello', [], [{ data: 'x' }]) },
);

/** Socket.io refuses messages over 64 KB by closing the socket (tested on its own). */
export const SOCKET_MESSAGE_BUDGET = 60_000;

export function wireBytes(value: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(onTheWire(value)) ?? '');
  } catch {
    return Infinity;
  }
}

/** Payloads that fit in one socket.io message. */
export const socketPayloadArb = payloadArb.filter((p) => wireBytes(p) < SOCKET_MESSAGE_BUDGET);

export const eventArb: fc.Arbitrary<string | number> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('2', '3') },
  { weight: 3, arbitrary: fc.constantFrom('typing', '0', '1', 'history') },
  { weight: 1, arbitrary: fc.constantFrom<string | number>(2, 3, 0, 1, 2.5, -3, 1e21) },
  {
    weight: 1,
    arbitrary: fc.string({ maxLength: 20 }).filter((s) => !RESERVED_EVENTS.has(s)),
  },
);

/**
 * How the client emits: with an acknowledgement callback, without, with extra arguments
 * (Nest then sees an array), or with nothing but the callback.
 */
export type EmitMode = 'ack' | 'noack' | 'extra-args' | 'only-ack' | 'no-args';
export const emitModeArb: fc.Arbitrary<EmitMode> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<EmitMode>('ack') },
  { weight: 3, arbitrary: fc.constant<EmitMode>('noack') },
  { weight: 1, arbitrary: fc.constantFrom<EmitMode>('extra-args', 'only-ack', 'no-args') },
);

// ---------------------------------------------------------------------------------------------
// What the server sees
// ---------------------------------------------------------------------------------------------

const BINARY = '\u0000binary';

function isBinary(value: unknown): boolean {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

/**
 * The value as the server receives it: socket.io sends binaries as attachments (a Buffer on
 * the server, which has no `data`/`to`/`cid` of its own) and the rest as JSON.
 */
export function onTheWire(value: unknown): unknown {
  const marked = markBinaries(value);
  const json = JSON.stringify(marked);
  return json === undefined ? null : JSON.parse(json);
}

function markBinaries(value: unknown): unknown {
  if (isBinary(value)) return { [BINARY]: true };
  if (Array.isArray(value)) return value.map((v) => markBinaries(v));
  if (value && typeof value === 'object' && !hasToJSON(value) && isPlainish(value)) {
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(value))
      Object.defineProperty(out, key, {
        value: markBinaries((value as Record<string, unknown>)[key]),
        enumerable: true,
      });
    return out;
  }
  return value;
}

function hasToJSON(value: object): boolean {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

function isPlainish(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === null || proto === Object.prototype;
}

/** `yes`: must be accepted; `no`: must be refused; `either`: the rule is ambiguous here. */
export type Verdict = 'yes' | 'no' | 'either';

/**
 * Text rule: a string, not blank once trimmed, at most 2,000 characters. Within 2,000 UTF-16
 * units it is surely short enough; beyond 2,000 code points (not counting emoji presentation
 * selectors U+FE0E/U+FE0F, which are not characters of their own) it is surely too long; in
 * between (emoji outside the BMP) the count of "characters" is a matter of definition.
 */
export function textVerdict(value: unknown): Verdict {
  if (typeof value !== 'string' || isBlankText(value)) return 'no';
  // A lone surrogate has no UTF-8 form: refusing it is right, and so is keeping it exactly;
  // what the server must not do is acknowledge it and then store or deliver something else.
  if (!isWellFormed(value)) return value.length <= MAX_TEXT ? 'either' : 'no';
  if (value.length <= MAX_TEXT) return 'yes';
  const codePoints = [...value].filter((c) => c !== '\ufe0e' && c !== '\ufe0f').length;
  return codePoints > MAX_TEXT ? 'no' : 'either';
}

function isWellFormed(text: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

export function cidVerdict(value: unknown): Verdict {
  if (value === undefined || value === null) return 'yes';
  return typeof value === 'string' && CID_PATTERN.test(value) ? 'yes' : 'no';
}

export function and(...verdicts: Verdict[]): Verdict {
  if (verdicts.includes('no')) return 'no';
  return verdicts.includes('either') ? 'either' : 'yes';
}

export function isObjectPayload(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own property (JSON.parse on the server makes own properties only). */
export function field(value: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(value, key) ? value[key] : undefined;
}

/** A stack trace line, as Node prints them. */
export const STACK_LINE = /\bat .*\.(js|ts|mjs|cjs)(:\d+)?/;

export function hasStackTrace(value: unknown): boolean {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  return STACK_LINE.test(text) || /\n\s+at /.test(text);
}

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

/** Header-safe strings (node refuses to send others). */
const headerText = fc
  .string({
    unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)),
    maxLength: 80,
  })
  .map((s) => s.replace(/\x7f/g, ''));

const now = () => Math.floor(Date.now() / 1000);

/** Claim values: anything, but short enough to fit in a header (Node refuses > 16 KB: 431). */
const claimArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, 0, -1, 1.5, true, [], {}, '', 'x'.repeat(2000)),
);

const claimsArb = fc.record(
  {
    sub: fc.oneof(fc.constantFrom('1', '2', '3', '0', '-1', '1e3', '9007199254740993'), claimArb),
    data: fc.oneof(fc.constantFrom('attacker', 'fuzzhttp', 'x'.repeat(1000)), claimArb),
    username: claimArb,
    jti: fc.oneof(fc.uuid(), claimArb),
    ver: fc.oneof(fc.constantFrom(0, 1, -1, 2 ** 53), claimArb),
    iat: fc.oneof(fc.constant(now()), claimArb),
    exp: fc.oneof(fc.constantFrom(now() + 3600, now() - 10, 1e300, 0), claimArb),
    nbf: claimArb,
  },
  { requiredKeys: [] },
);

/** Authorization header values, given a real token and the server's secret. */
export function authorizationArb(
  validToken: () => string,
  secret: string,
): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: headerText },
    { weight: 1, arbitrary: headerText.map((s) => `Bearer ${s}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('null', 'undefined', 'Bearer', 'Bearer ', 'bearer null'),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom('valid', 'bearer-valid')
        .map((k) => (k === 'valid' ? validToken() : `Bearer ${validToken()}`)),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom({ alg: 'HS256', typ: 'JWT' }, { alg: 'HS256' }), claimsArb)
        .map(([header, claims]) => signHs256(header, claims, secret)),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.oneof(
            fc.constantFrom({ alg: 'none' }, { alg: 'HS512' }, { alg: 'RS256' }),
            fc.jsonValue(),
          ),
          claimsArb,
        )
        .map(([header, claims]) => `${b64url(header)}.${b64url(claims)}.`),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.nat(), fc.constantFrom('a', '.', '-', '_', '=', '%')).map(([i, c]) => {
        const token = validToken();
        const at = i % token.length;
        return token.slice(0, at) + c + token.slice(at + 1);
      }),
    },
  );
}

export type BodyKind = 'json' | 'json-raw' | 'form' | 'text' | 'bytes' | 'none' | 'big';

export interface HttpBody {
  kind: BodyKind;
  contentType?: string;
  contentEncoding?: string;
  body?: string | Buffer;
}

const contentTypeArb = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=utf-16',
    'application/json; charset=latin1',
    'application/json; charset=nonsense',
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=koi8-r',
    'text/plain',
    'text/html',
    'application/octet-stream',
    'multipart/form-data; boundary=x',
    'application/*+json',
    'application/vnd.api+json',
    '*/*',
  ),
  headerText,
);

const credentialFieldArb = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('attacker', 'fuzzhttp', 'fuzzhttp-password', 'x'.repeat(200)),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** Credentials that may well be right: a new name (201), a taken one (409), a known login. */
const plausibleCredentialsArb = fc.record({
  username: fc.oneof(
    fc.stringMatching(/^[a-z][a-z0-9_.-]{0,11}$/),
    fc.constantFrom('attacker', 'fuzzhttp', 'Zoë', '张伟', 'o\u0308'),
  ),
  password: fc.oneof(
    fc.string({ minLength: 8, maxLength: 20 }),
    fc.constantFrom('fuzzhttp-password', 'attacker-password', 'short', 'p'.repeat(129)),
  ),
});

const jsonBodyArb = fc.oneof(
  plausibleCredentialsArb,
  fc.record(
    {
      username: credentialFieldArb,
      password: credentialFieldArb,
      all: fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 1 })),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 3 }),
  pollutingArb,
);

const formPairArb = fc.tuple(
  fc.oneof(
    fc.constantFrom(
      'username',
      'password',
      'all',
      'username[]',
      'password[a]',
      '__proto__[x]',
      'a[b][c][d]',
    ),
    fc.string({ maxLength: 10 }),
  ),
  fc.string({ maxLength: 20 }),
);

export const bodyArb: fc.Arbitrary<HttpBody> = fc.oneof(
  {
    weight: 4,
    arbitrary: jsonBodyArb.map((v) => ({
      kind: 'json' as const,
      contentType: 'application/json',
      body: JSON.stringify(v) ?? 'null',
    })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.array(formPairArb, { maxLength: 5 }), fc.boolean())
      .map(([pairs, encode]) => ({
        kind: 'form' as const,
        contentType: 'application/x-www-form-urlencoded',
        body: encode
          ? new URLSearchParams(pairs).toString()
          : pairs.map(([k, v]) => `${k}=${v}`).join('&'),
      })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        contentTypeArb,
        fc.oneof(
          fc.string({ maxLength: 60 }),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
      )
      .map(([contentType, body]) => ({ kind: 'text' as const, contentType, body })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        contentTypeArb,
        fc.uint8Array({ maxLength: 200 }),
        fc.option(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-nonsense'), {
          nil: undefined,
        }),
      )
      .map(([contentType, bytes, contentEncoding]) => ({
        kind: 'bytes' as const,
        contentType,
        contentEncoding,
        body: Buffer.from(bytes),
      })),
  },
  { weight: 1, arbitrary: fc.constant<HttpBody>({ kind: 'none' }) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('application/json', 'application/x-www-form-urlencoded')
      .map((contentType) => ({
        kind: 'big' as const,
        contentType,
        body:
          contentType === 'application/json'
            ? JSON.stringify({ username: 'x'.repeat(300_000), password: 'y' })
            : `username=${'x'.repeat(300_000)}&password=y`,
      })),
  },
);

/** Query strings for GET /messages. */
export const queryArb: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom('with', 'before', 'limit') },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'with[]',
            'limit[]',
            'before[a]',
            'with[a][b]',
            '__proto__',
            '__proto__[with]',
            'constructor[prototype][x]',
          ),
        },
        { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
      ),
      fc.oneof(
        {
          weight: 3,
          arbitrary: fc.constantFrom(
            'all',
            'bob',
            'observer',
            'attacker',
            'nobody',
            '1',
            '0',
            '-1',
            '50',
            '200',
            '201',
            '1e3',
            '1.5',
            '0x10',
            ' 5',
            '99999999999999999999',
            '9007199254740993',
            'NaN',
            'Infinity',
            '',
            'null',
            '%',
            '%FF',
            '%E0%A4%A',
            '%00',
            'a%20b',
            '%2F..%2F',
          ),
        },
        { weight: 2, arbitrary: fc.integer().map(String) },
        { weight: 2, arbitrary: fc.string({ maxLength: 20 }).map(encodeURIComponent) },
        {
          weight: 1,
          arbitrary: fc.string({ maxLength: 20 }).map((s) => s.replace(/[^\x21-\x7e]|#/g, '')),
        },
      ),
    ),
    { maxLength: 5 },
  )
  .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));
