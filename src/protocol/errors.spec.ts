import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../common/project-root.js';
import {
  codeOf,
  ERROR_MESSAGES,
  type ErrorCode,
  LIMIT_ERRORS,
  SERVER_ERRORS,
  validationCode,
} from './errors.js';

const CODES = Object.keys(ERROR_MESSAGES) as ErrorCode[];
const HAN = /\p{Script=Han}/u;

type ErrorText = (code: unknown, msg: string) => string;

/** The pages' words (public/js/strings.js) for a browser in this language: its errorText. */
async function pageErrorText(language: string): Promise<ErrorText> {
  const url = pathToFileURL(join(projectRoot(), 'public/js/strings.js')).href;
  const { translator } = (await import(url)) as {
    translator: (languages: string[]) => { errorText: ErrorText };
  };
  return translator([language]).errorText;
}

describe('error codes', () => {
  it('give every code its own message, so that a message finds its code', () => {
    expect(new Set(Object.values(ERROR_MESSAGES)).size).toBe(CODES.length);
    for (const code of CODES) expect(codeOf(ERROR_MESSAGES[code])).toBe(code);
  });

  it('give an unlisted message the code of its HTTP status', () => {
    expect(codeOf('Cannot GET /x', 404)).toBe('not_found');
    expect(codeOf('something new', 400)).toBe('bad_request');
    expect(codeOf('something new', 409)).toBe('bad_request');
    expect(codeOf('something new', 503)).toBe('service_unavailable');
    expect(codeOf('something new', 502)).toBe('internal_error');
    expect(validationCode('something new')).toBe('validation_failed');
    expect(validationCode(ERROR_MESSAGES.invalid_username)).toBe('invalid_username');
  });

  it('cover every refusal the sockets send', () => {
    const unlisted = [
      ...Object.values(SERVER_ERRORS).filter((msg) => msg !== SERVER_ERRORS.internal),
      ...Object.values(LIMIT_ERRORS).filter((msg) => msg !== LIMIT_ERRORS.slow),
    ].filter((msg) => !Object.values<string>(ERROR_MESSAGES).includes(msg));
    expect(unlisted).toEqual([]);
  });

  it.each([
    ['zh-CN', true],
    ['en-US', false],
  ])('have the page’s own words in %s', async (language, chinese) => {
    const errorText = await pageErrorText(language);
    const missing = CODES.filter((code) => {
      const text = errorText(code, '\u0000server msg');
      return text === '\u0000server msg' || text.trim() === '' || HAN.test(text) !== chinese;
    });
    expect(missing).toEqual([]);
    // A code the page does not know shows the server's message.
    expect(errorText('from_a_newer_server', 'as the server says')).toBe('as the server says');
    expect(errorText(undefined, 'as the server says')).toBe('as the server says');
  });
});
