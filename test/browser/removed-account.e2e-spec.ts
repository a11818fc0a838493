/**
 * A removed account in our chat.html: its messages show marked "removed account" to whoever
 * talked with it, and someone who registers the name later is not shown as their author.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import type { AckResponse as Ack } from '../../src/protocol/index.js';
import { runUserCommand } from '../../src/cli/user-command.js';
import { connect, login } from '../support/chat-client.js';
import {
  describeWithBrowser,
  launchBrowser,
  openConversation,
  openUserPage,
  loginThroughPage,
} from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const STEP = 30_000;
const SETUP = 60_000;

const line = (page: Page, text: string) => page.locator('#chatArea li.msg', { hasText: text });

describeWithBrowser('a removed account in the chat page', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp();
    await t.createUser('olga', 'olga-password');
    await t.createUser('pat', 'pat-password');
    const sockets: Socket[] = [];
    try {
      for (const name of ['olga', 'pat'])
        sockets.push(await connect(t.url, { token: await login(t.url, name, `${name}-password`) }));
      const [olga, pat] = sockets;
      const send = (s: Socket, event: '2' | '3', payload: object) =>
        s.timeout(10_000).emitWithAck(event, payload) as Promise<Ack>;
      expect((await send(olga, '2', { data: 'old olga in the group' })).status).toBe(1);
      expect((await send(olga, '3', { to: 'pat', data: 'old olga to pat' })).status).toBe(1);
      expect((await send(pat, '3', { to: 'olga', data: 'pat to old olga' })).status).toBe(1);
    } finally {
      for (const s of sockets) s.close();
    }
    await runUserCommand(['remove', 'olga'], {
      DATABASE_URL: t.database.url,
      DATA_DIR: t.config.dataDir,
    });
    await t.createUser('olga', 'new-olga-password');
    browser = await launchBrowser();
  }, SETUP);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it(
    'shows the newcomer the old group message as someone else’s, from a removed account, and no private one',
    async () => {
      const u = await openUserPage(browser);
      await loginThroughPage(u.page, t.url, 'olga', 'new-olga-password');
      const old = line(u.page, 'old olga in the group');
      await old.waitFor({ timeout: 15_000 });
      expect(await old.getAttribute('class')).toMatch(/\btheirs\b/);
      expect(await old.locator('.badge-removed').textContent()).toBe('removed account');
      expect(await u.page.locator('#conversations li[data-conv="pat"]').count()).toBe(0);
      expect(u.log.errors).toEqual([]);
      await u.context.close();
    },
    STEP,
  );

  it(
    'shows the counterpart both directions of the old conversation marked removed account',
    async () => {
      const u = await openUserPage(browser);
      await loginThroughPage(u.page, t.url, 'pat', 'pat-password');
      await openConversation(u.page, 'olga');
      for (const text of ['old olga to pat', 'pat to old olga']) {
        const shown = line(u.page, text);
        await shown.waitFor({ timeout: 15_000 });
        expect(await shown.locator('.badge-removed').count()).toBe(1);
      }
      expect(await line(u.page, 'pat to old olga').getAttribute('class')).toMatch(/\bmine\b/);
      expect(u.log.errors).toEqual([]);
      await u.context.close();
    },
    STEP,
  );
});
