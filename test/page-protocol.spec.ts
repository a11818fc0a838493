/**
 * The pages' protocol module (public/js/protocol.js) holds the same values as the server: every
 * event name, every error code the pages act on, and every limit they check before sending. A
 * change on one side that the other does not follow fails here, not in a browser.
 */
import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GroupMessageDto, TypingDto } from '../src/chat/dto/chat-message.dto.js';
import { projectRoot } from '../src/common/project-root.js';
import { HISTORY_MAX_LIMIT } from '../src/messages/history-page.js';
import {
  ChatEvent,
  ERROR_MESSAGES,
  MAX_TEXT_LENGTH,
  PASSWORD_MAX,
  PASSWORD_MIN,
  PRESENCE_CHANGES,
} from '../src/protocol/index.js';
import { RESERVED_USERNAMES } from '../src/users/user-rules.js';

/** What public/js/protocol.js exports (a browser module without types of its own). */
interface PageProtocol {
  ChatEvent: Record<string, string>;
  PRESENCE_CHANGES: string;
  GROUP: string;
  ErrorCode: Record<string, string>;
  MAX_TEXT_LENGTH: number;
  PASSWORD_MIN: number;
  PASSWORD_MAX: number;
  HISTORY_PAGE: number;
}

interface PageStrings {
  STRINGS: Record<string, Record<string, string>>;
}

/** A module of public/js, loaded as the browser does (an ES module; these use no DOM). */
const pageModule = (path: string): Promise<unknown> =>
  import(pathToFileURL(join(projectRoot(), 'public/js', path)).href);

const page = () => pageModule('protocol.js') as Promise<PageProtocol>;

describe('the pages’ protocol (public/js/protocol.js)', () => {
  it('names every event as the server does', async () => {
    expect((await page()).ChatEvent).toEqual(ChatEvent);
  });

  it('asks for presence changes by the server’s word', async () => {
    expect((await page()).PRESENCE_CHANGES).toBe(PRESENCE_CHANGES);
  });

  it('calls the group conversation by the name the server reserves for it', async () => {
    const { GROUP } = await page();
    expect(RESERVED_USERNAMES).toContain(GROUP);
    expect(validateSync(plainToInstance(TypingDto, { to: GROUP }))).toEqual([]);
  });

  it('acts only on error codes the server sends', async () => {
    const codes = Object.values((await page()).ErrorCode);
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.filter((code) => !Object.hasOwn(ERROR_MESSAGES, code))).toEqual([]);
  });

  it('gives every code it has words for to the server (no words for codes that are gone)', async () => {
    const { STRINGS } = (await pageModule('strings.js')) as PageStrings;
    for (const table of Object.values(STRINGS)) {
      const codes = Object.keys(table)
        .filter((key) => key.startsWith('code.'))
        .map((key) => key.slice('code.'.length));
      expect(codes.filter((code) => !Object.hasOwn(ERROR_MESSAGES, code))).toEqual([]);
    }
  });

  it('checks the server’s limits before sending', async () => {
    const p = await page();
    expect(p.MAX_TEXT_LENGTH).toBe(MAX_TEXT_LENGTH);
    expect(p.PASSWORD_MIN).toBe(PASSWORD_MIN);
    expect(p.PASSWORD_MAX).toBe(PASSWORD_MAX);
    expect(p.HISTORY_PAGE).toBeGreaterThanOrEqual(1);
    expect(p.HISTORY_PAGE).toBeLessThanOrEqual(HISTORY_MAX_LIMIT);
  });

  it('says the same limits in the pages’ markup and words', async () => {
    const p = await page();
    const chatHtml = readFileSync(join(projectRoot(), 'public/chat.html'), 'utf8');
    expect(chatHtml.match(/id="message"[^>]*maxlength="(\d+)"/s)?.[1]).toBe(
      String(MAX_TEXT_LENGTH),
    );
    const { STRINGS } = (await pageModule('strings.js')) as PageStrings;
    for (const table of Object.values(STRINGS)) {
      for (const key of ['hint.password', 'error.passwordLength', 'code.invalid_password']) {
        expect(table[key]).toContain(String(p.PASSWORD_MIN));
        expect(table[key]).toContain(String(p.PASSWORD_MAX));
      }
    }
  });

  it('makes client message ids (cid) the server accepts', async () => {
    const { newCid } = (await pageModule('chat/model.js')) as { newCid: () => string };
    for (let i = 0; i < 20; i++) {
      const message = plainToInstance(GroupMessageDto, { data: 'hello', cid: newCid() });
      expect(validateSync(message)).toEqual([]);
    }
  });
});
