/**
 * The pages show the server's errors in their own words, by code (public/js/strings.js): Chinese on
 * a zh browser, English otherwise.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  describeWithBrowser,
  getToken,
  launchBrowser,
  openConversation,
  openUserPage,
  sleep,
  type UserPage,
  loginThroughPage,
  submitLogin,
} from '../support/browser.js';

const STEP = 20_000;
const SETUP = 60_000;

async function wrongPassword(page: Page, url: string): Promise<string | undefined> {
  await submitLogin(page, url, 'alice', 'not-her-password');
  const error = page.locator('#error');
  await error.waitFor({ state: 'visible', timeout: 10_000 });
  return (await error.textContent())?.trim();
}

describeWithBrowser('browser: server errors in the page’s language', () => {
  let app: TestApp;
  let browser: Browser;
  const pages: UserPage[] = [];

  async function fresh(locale: string): Promise<UserPage> {
    const u = await openUserPage(browser, { locale });
    pages.push(u);
    return u;
  }

  beforeAll(async () => {
    app = await startTestApp();
    await app.createUser('alice', 'alice-password');
    browser = await launchBrowser();
  }, SETUP);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  }, SETUP);

  it(
    'a wrong password on the zh login page is said in Chinese',
    async () => {
      const u = await fresh('zh-CN');
      expect(await wrongPassword(u.page, app.url)).toBe('账号或密码错误。');
      expect(await getToken(u.page)).toBeNull();
      expect(u.log.errors).toEqual([]);
    },
    STEP,
  );

  it(
    'and in English on the en login page',
    async () => {
      const u = await fresh('en-US');
      expect(await wrongPassword(u.page, app.url)).toBe('Wrong user name or password.');
    },
    STEP,
  );

  it(
    'a refused message on the zh chat page is said in Chinese, once',
    async () => {
      const { page, log } = await fresh('zh-CN');
      await loginThroughPage(page, app.url, 'alice', 'alice-password');
      await page.waitForFunction(
        "document.querySelector('#onlineCount')?.textContent.trim() === '1'",
        undefined,
        {
          timeout: 10_000,
        },
      );
      // a conversation with a name nobody has (as if the user had been removed)
      await page.evaluate(`(() => {
        const select = document.querySelector('#select');
        const option = document.createElement('option');
        option.value = 'nobody-here';
        option.textContent = 'nobody-here';
        select.append(option);
        select.value = 'nobody-here';
        select.dispatchEvent(new Event('change'));
      })()`);
      await page.fill('#message', 'to nobody');
      await page.press('#message', 'Enter');
      const line = page.locator('#chatArea li.msg', { hasText: 'to nobody' });
      await line.locator('.msg-error').waitFor({ timeout: 10_000 });
      expect((await line.locator('.msg-error').textContent())?.trim()).toBe(
        '发送失败:没有这个用户。',
      );
      await sleep(600);
      // the same refusal, also sent as event '0', is not repeated as a notice line
      expect(await page.locator('#chatArea .notice-line').count()).toBe(0);
      await openConversation(page, 'all');
      expect(log.errors).toEqual([]);
    },
    STEP,
  );
});
