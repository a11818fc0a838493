import { describe, expect, it } from '@jest/globals';
import { type ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import fc from 'fast-check';
import { AppValidationPipe } from '../common/app-validation.pipe.js';
import { DepthLimitPipe } from '../common/depth-limit.pipe.js';
import { MAX_TEXT_LENGTH } from '../protocol/index.js';
import { GroupMessageDto, PrivateMessageDto, TypingDto } from './dto/chat-message.dto.js';
import { plainMessage } from './dto/plain-message.js';
import { WsValidationPipe } from './ws-validation.pipe.js';

const pipe = new WsValidationPipe();
const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({
  type: 'body',
  metatype,
});

/** The pipes a socket event's payload goes through: the app's global ones, then the gateway's. */
type Pipe = (value: unknown, metadata: ArgumentMetadata) => unknown;
const shortWay: Pipe[] = [
  (v) => new DepthLimitPipe().transform(v),
  (v, m) => new AppValidationPipe(plainMessage).transform(v, m),
  (v, m) => pipe.transform(v, m),
];
/** The same without the shortcuts: class-transformer and class-validator, with each pipe's options. */
const global = new AppValidationPipe();
const longWay: Pipe[] = [
  (v) => new DepthLimitPipe().transform(v),
  (v, m) => ValidationPipe.prototype.transform.call(global, v, m),
  (v, m) => ValidationPipe.prototype.transform.call(pipe, v, m),
];

/** What a chain of pipes makes of a payload: the handler's argument, or the refusal. */
async function through(pipes: Pipe[], value: object, metatype: ArgumentMetadata['metatype']) {
  try {
    let v: unknown = value;
    for (const p of pipes) v = await p(v, body(metatype));
    return { ok: v };
  } catch (error) {
    const e = error as Error & { getError?(): unknown; getResponse?(): unknown };
    return { error: e.constructor.name, body: e.getError?.() ?? e.getResponse?.() };
  }
}

/** A fresh copy, as socket.io would parse it (structuredClone's objects are of another realm under Jest). */
const copy = (value: object) => JSON.parse(JSON.stringify(value)) as object;

/** Texts near every rule: blank, invisible, lone surrogates, at and over the length limit. */
const text = fc.oneof(
  { arbitrary: fc.string({ minLength: 1, maxLength: 8 }), weight: 4 },
  fc.constantFrom('', ' ', '\u200B', '\u3164', '\uFEFF', 'hi', ' hi ', '😀', '\uD800', 'a\uDC00'),
  fc.constantFrom(
    'x'.repeat(MAX_TEXT_LENGTH),
    'x'.repeat(MAX_TEXT_LENGTH + 1),
    '😀'.repeat(MAX_TEXT_LENGTH / 2 + 1),
  ),
  fc.constantFrom(7, null, ['hi'], { text: 'hi' }),
);
const cid = fc.oneof(
  { arbitrary: fc.constantFrom('c1', 'a'.repeat(64), 'A-z_9'), weight: 2 },
  fc.constantFrom('a'.repeat(65), '', 'no space', '~x', 7, null),
);
const to = fc.oneof(
  { arbitrary: fc.constantFrom('bob', 'Zoë', 'a.b-c_1'), weight: 2 },
  fc.constantFrom('all', '', 'a b', 'x'.repeat(33), 7, null),
);
/** Each key present or not; mostly without a key no DTO takes. */
const payload = fc
  .record({
    data: fc.option(text, { nil: undefined, freq: 8 }),
    cid: fc.option(cid, { nil: undefined }),
    to: fc.option(to, { nil: undefined, freq: 2 }),
    extra: fc.option(fc.constantFrom(1, 'x', { deep: true }), { nil: undefined, freq: 1 }),
  })
  .map(copy);

describe(WsValidationPipe.name, () => {
  it.each([
    [GroupMessageDto, { data: 'hi' }],
    [GroupMessageDto, { data: 'hi', cid: 'c-1_' }],
    [PrivateMessageDto, { data: 'hi', to: 'bob' }],
    [PrivateMessageDto, { data: '你好 😀', to: 'Zoë', cid: 'x' }],
  ])('takes an ordinary %p payload the short way, as the long way would', async (type, value) => {
    const short = plainMessage(value, type);
    expect(short).toBeInstanceOf(type);
    expect(short).toEqual((await through(longWay, { ...value }, type)).ok);
    expect(await through(shortWay, { ...value }, type)).toEqual({ ok: short });
  });

  it('never takes the short way where the long way refuses, or gives anything else', async () => {
    let taken = 0;
    await fc.assert(
      fc.asyncProperty(
        payload,
        fc.constantFrom(GroupMessageDto, PrivateMessageDto),
        async (value, type) => {
          const short = plainMessage(copy(value), type);
          const long = await through(longWay, copy(value), type);
          if (short !== undefined) {
            taken++;
            expect(long).toEqual({ ok: short });
            expect(Object.getPrototypeOf(long.ok)).toBe(type.prototype);
          }
          // The pipes as a whole answer exactly as the long way: the same DTO or the same refusal.
          expect(await through(shortWay, copy(value), type)).toEqual(long);
        },
      ),
      { numRuns: 2000 },
    );
    expect(taken).toBeGreaterThan(50);
  });

  it('leaves every other payload to class-validator', () => {
    expect(plainMessage({ to: 'all' }, TypingDto)).toBeUndefined();
    expect(plainMessage({ data: 'hi', extra: 1 }, GroupMessageDto)).toBeUndefined();
    expect(plainMessage({ data: 'hi', to: 'bob' }, GroupMessageDto)).toBeUndefined();
    expect(plainMessage(Object.create({ data: 'hi' }) as object, GroupMessageDto)).toBeUndefined();
  });
});
