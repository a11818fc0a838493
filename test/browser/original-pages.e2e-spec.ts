/**
 * The original design's own pages (seed document: login.html and chat.html, kept verbatim in
 * test/fixtures/original/) must still work against our server: same HTTP shapes, same socket
 * events, the token in the `token` query of a ws:// URL.
 *
 * Only two things are changed at test time: the CDN axios URL (the machine is offline) and the
 * hard-coded ws://localhost:3000. The pages are served by Playwright under /original/, and
 * /original/js/socket.io.js is our server's /socket.io/socket.io.js.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  describeWithBrowser,
  getToken,
  launchBrowser,
  openUserPage,
  sleep,
  submitLogin,
  type UserPage,
} from '../support/browser.js';
import { createPeople, PASSWORDS } from '../support/users.js';

const STEP = 90_000; // wide: the suite must pass on a busy machine
const SETUP = 120_000;

const CDN_AXIOS = 'https://cdn.jsdelivr.net/npm/axios@1.1.2/dist/axios.min.js';
const ORIGINAL_WS = 'ws://localhost:3000';

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../fixtures/original/${name}`, import.meta.url)), 'utf8');

type Name = 'alice' | 'bob' | 'carol';
const NAMES: Name[] = ['alice', 'bob', 'carol'];

/** The original page with only the CDN axios URL and the ws://localhost:3000 address replaced. */
function originalPage(name: 'login.html' | 'chat.html', app: TestApp): string {
  const html = fixture(name);
  expect(html).toContain(CDN_AXIOS);
  let patched = html.split(CDN_AXIOS).join('/vendor/axios/axios.min.js');
  if (name === 'chat.html') {
    expect(patched).toContain(ORIGINAL_WS);
    patched = patched.split(ORIGINAL_WS).join(`ws://127.0.0.1:${new URL(app.url).port}`);
  }
  return patched;
}

async function serveOriginalPages(context: BrowserContext, app: TestApp): Promise<void> {
  for (const name of ['login.html', 'chat.html'] as const) {
    const body = originalPage(name, app);
    await context.route(`${app.url}/original/${name}`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body }),
    );
  }
  await context.route(`${app.url}/original/js/socket.io.js`, async (route) => {
    const response = await route.fetch({ url: `${app.url}/socket.io/socket.io.js` });
    await route.fulfill({ response });
  });
  // Offline machine: anything else that leaves 127.0.0.1 would only hang.
  await context.route(
    (url) => url.hostname !== '127.0.0.1',
    (route) => route.abort(),
  );
}

/** The lines of the original's #chatArea that contain this text. */
const lines = (page: Page, text: string) => page.locator('#chatArea li', { hasText: text });

async function waitOptions(page: Page, names: string[]): Promise<void> {
  const expected = JSON.stringify(['all', ...names].sort());
  await page.waitForFunction(
    `JSON.stringify(Array.from(document.querySelectorAll('#select option'), (o) => o.value).sort()) === ${JSON.stringify(expected)}`,
    undefined,
    { timeout: 30_000 },
  );
}

describeWithBrowser('browser: the original design pages against our server', () => {
  let app: TestApp;
  let browser: Browser;
  const users = {} as Record<Name, UserPage>;

  beforeAll(async () => {
    app = await startTestApp();
    await createPeople(app, NAMES);
    browser = await launchBrowser();
    for (const name of NAMES) {
      users[name] = await openUserPage(browser, { locale: 'zh-CN' });
      await serveOriginalPages(users[name].context, app);
    }
  }, SETUP);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  }, SETUP);

  it(
    'each user logs in with the original login.html and lands on the original chat.html',
    async () => {
      for (const name of NAMES) {
        const { page, log } = users[name];
        await submitLogin(page, `${app.url}/original`, name, PASSWORDS[name]);
        await page.waitForURL(`${app.url}/original/chat.html`, { timeout: 30_000 });
        // the original's response interceptor read the exposed Authorization header
        expect(await getToken(page)).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
        // its own name display (from localStorage.username, set by the original login page)
        await page.locator('#user', { hasText: name }).waitFor({ timeout: 30_000 });
        // GET /userinfo answered {status: 1, username}: the original greets with an alert()
        for (let i = 0; i < 50 && log.dialogs.length < 2; i++) await sleep(100);
        expect(log.dialogs).toEqual(['登陆成功!', `欢迎! "${name}" 进入聊天室`]);
        expect(log.errors).toEqual([]);
      }
    },
    STEP,
  );

  it(
    'the original online list (#select) shows all three users, each once',
    async () => {
      for (const name of NAMES) await waitOptions(users[name].page, NAMES);
    },
    STEP,
  );

  it(
    'a group message is seen by every user, in the original format',
    async () => {
      const text = `hello from the original page ${Date.now()}`;
      const { page } = users.alice;
      await page.selectOption('#select', 'all');
      await page.fill('#message', text);
      await page.click('#submit');
      for (const name of NAMES) {
        const line = lines(users[name].page, text);
        await line.waitFor({ timeout: 30_000 });
        expect((await line.textContent())?.trim()).toBe(`[群聊]alice说: ${text}`);
      }
    },
    STEP,
  );

  it(
    'a private message is seen by its recipient (and the sender), never by the third user',
    async () => {
      const secret = `for bob only ${Date.now()}`;
      const { page } = users.alice;
      await page.selectOption('#select', 'bob');
      await page.fill('#message', secret);
      await page.click('#submit');

      const atBob = lines(users.bob.page, secret);
      await atBob.waitFor({ timeout: 30_000 });
      expect((await atBob.textContent())?.trim()).toBe(`[私聊]alice说: ${secret}`);
      await lines(users.alice.page, secret).waitFor({ timeout: 30_000 });

      await sleep(1_000);
      const marker = `carol is up to date ${Date.now()}`;
      await users.carol.page.fill('#message', marker);
      await users.carol.page.click('#submit');
      await lines(users.carol.page, marker).waitFor({ timeout: 30_000 });
      expect(await lines(users.carol.page, secret).count()).toBe(0);
    },
    STEP,
  );

  it(
    'the original logout clears the token and the others see the user leave',
    async () => {
      const { page } = users.carol;
      await page.click('#logout');
      await page.waitForURL(`${app.url}/original/login.html`, { timeout: 30_000 });
      expect(await getToken(page)).toBeNull();
      for (const name of ['alice', 'bob'] as const) {
        await waitOptions(users[name].page, ['alice', 'bob']);
      }
      for (const name of NAMES) expect(users[name].log.errors).toEqual([]);
    },
    STEP,
  );
});
