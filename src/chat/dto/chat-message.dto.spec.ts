import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { GroupMessageDto, PrivateMessageDto } from './chat-message.dto.js';

const problems = (payload: object, type: typeof GroupMessageDto = GroupMessageDto) =>
  validateSync(plainToInstance(type, payload)).flatMap((e) => Object.values(e.constraints ?? {}));

describe(GroupMessageDto.name, () => {
  it.each([
    ['nothing', ''],
    ['spaces and a newline', '  \n '],
    ['a zero-width space', '\u200B'],
    ['zero-width joiners and spaces', '\u200D \u2060\u200C'],
    ['a Hangul filler', '\u3164'],
    ['a byte order mark', '\uFEFF'],
    ['a variation selector', '\uFE0F'],
    ['an ideographic space', '\u3000'],
  ])('takes %s for blank', (_case, data) => {
    expect(problems({ data })).toEqual(['data must not be empty']);
    expect(problems({ data, to: 'bob' }, PrivateMessageDto)).toEqual(['data must not be empty']);
  });

  it.each(['hi', ' hi ', '\u200Bhi', '😀', '👍\uFE0F', '你好', '.'])('accepts %p', (data) =>
    expect(problems({ data })).toEqual([]),
  );
});
