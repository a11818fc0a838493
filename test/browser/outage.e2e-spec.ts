/**
 * A database outage seen from our chat.html: the app reaches MariaDB through a TCP proxy that the
 * test cuts. A message sent meanwhile is refused with `retry: true`; the page keeps it ("waiting
 * to resend…"), sends it again with the same cid, and once the database is back it is delivered
 * once and becomes a normal sent message. A reload during the outage (GET /userinfo answers 503)
 * keeps the token and recovers by itself. Nobody restarts anything.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { createProxiedMysql, type ProxiedMysql } from '../support/proxied-mysql.js';
import type { TcpProxy } from '../support/tcp-proxy.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  describeWithBrowser,
  getToken,
  launchBrowser,
  openUserPage,
  sleep,
  type UserPage,
  loginThroughPage,
} from '../support/browser.js';
import { createPeople, PASSWORDS, type Person } from '../support/users.js';

/** Our message lines in #chatArea whose text is exactly `text`. */
function countLines(page: Page, text: string, selector = 'li.msg'): Promise<number> {
  return page.evaluate<number>(
    `Array.from(document.querySelectorAll('#chatArea ${selector}')).filter((li) => li.querySelector('.msg-text')?.textContent === ${JSON.stringify(text)}).length`,
  );
}

async function waitLine(page: Page, text: string, selector: string, timeout: number) {
  await page.waitForFunction(
    `Array.from(document.querySelectorAll('#chatArea ${selector}')).some((li) => li.querySelector('.msg-text')?.textContent === ${JSON.stringify(text)})`,
    undefined,
    { timeout },
  );
}

async function waitState(page: Page, state: string, timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    `document.querySelector('#status')?.dataset.state === ${JSON.stringify(state)}`,
    undefined,
    { timeout },
  );
}

async function logIn(u: UserPage, url: string, name: Person): Promise<void> {
  await loginThroughPage(u.page, url, name, PASSWORDS[name]);
  await waitState(u.page, 'connected');
}

describeWithBrowser('browser: database outage', () => {
  let proxy: TcpProxy;
  let app: TestApp;
  let db: ProxiedMysql | null = null;
  let browser: Browser;
  let alice: UserPage;
  let bob: UserPage;
  let available = true;

  beforeAll(async () => {
    db = await createProxiedMysql('the browser database outage test');
    available = db !== null;
    if (!db) return;
    proxy = db.proxy;
    app = await startTestApp({ DB_TIMEOUT_MS: '1500' }, { database: db.database });
    await createPeople(app, ['alice', 'bob']);
    browser = await launchBrowser();
    alice = await openUserPage(browser);
    bob = await openUserPage(browser);
    await logIn(alice, app.url, 'alice');
    await logIn(bob, app.url, 'bob');
  }, 40_000);

  afterAll(async () => {
    if (!available) return;
    proxy?.restore();
    await browser?.close();
    await app?.close();
    await db?.drop();
  }, 30_000);

  it('a message refused while the database is away waits, is re-sent, and arrives once when it is back', async () => {
    if (!available) return;
    const text = 'sent during the outage';
    const second = 'second one, also during the outage';
    proxy.cut();
    await alice.page.fill('#message', text);
    await alice.page.press('#message', 'Enter');
    await alice.page.fill('#message', second);
    await alice.page.press('#message', 'Enter');

    // Refused with retry: true (after DB_TIMEOUT_MS): kept, marked as waiting, never "Not sent".
    await waitLine(alice.page, text, 'li.msg.retrying', 8_000);
    const line = alice.page.locator('#chatArea li.msg', { hasText: text });
    expect((await line.locator('.msg-status').textContent())?.trim()).toBe('waiting to resend…');
    await sleep(3_000); // at least one more refused attempt
    expect(await countLines(alice.page, text)).toBe(1);
    expect(await countLines(alice.page, text, 'li.msg.retrying')).toBe(1);
    expect(await countLines(alice.page, text, 'li.msg.failed')).toBe(0);
    expect(await line.locator('.msg-error').count()).toBe(0);
    expect(await line.getAttribute('data-id')).toBeNull();
    // the refusal's event '0' is not repeated as a notice line
    expect(await alice.page.locator('#chatArea .notice-line').count()).toBe(0);
    expect(await countLines(bob.page, text)).toBe(0);
    expect(await countLines(alice.page, second, 'li.msg.pending')).toBe(1);
    expect(await countLines(alice.page, second, 'li.msg.failed')).toBe(0);
    expect(await countLines(bob.page, second)).toBe(0);

    proxy.restore();
    // Resent with the same cid by the page itself: bob sees it once, alice's copy is stored.
    await waitLine(bob.page, text, 'li.msg[data-id]', 25_000);
    await waitLine(alice.page, text, 'li.msg[data-id]:not(.pending):not(.retrying)', 10_000);
    await waitLine(bob.page, second, 'li.msg[data-id]', 10_000);
    await waitLine(alice.page, second, 'li.msg[data-id]:not(.pending):not(.retrying)', 10_000);
    await sleep(1_000); // a duplicate would have arrived by now
    for (const page of [alice.page, bob.page]) {
      expect(await countLines(page, text)).toBe(1);
      expect(await countLines(page, second)).toBe(1);
      // in the order they were typed
      const order = await page.evaluate<string[]>(
        "Array.from(document.querySelectorAll('#chatArea li.msg .msg-text'), (el) => el.textContent)",
      );
      expect(order.filter((m) => m === text || m === second)).toEqual([text, second]);
    }
    expect(await line.getAttribute('class')).not.toMatch(/\b(pending|retrying|failed)\b/);
    expect(await line.locator('.msg-status, .msg-error').count()).toBe(0);
    expect(await line.getAttribute('data-id')).toBe(
      await bob.page.locator('#chatArea li.msg', { hasText: text }).getAttribute('data-id'),
    );
    expect(await alice.page.locator('#chatArea .notice-line').count()).toBe(0);
    await waitState(alice.page, 'connected');
  }, 45_000);

  it('a reload while the database is away keeps the token and recovers by itself', async () => {
    if (!available) return;
    const token = await getToken(alice.page);
    expect(token).toBeTruthy();
    proxy.cut();
    await alice.page.reload();
    // GET /userinfo answers 503: the page says so and asks again, it does not log out
    await waitState(alice.page, 'unavailable', 8_000);
    expect((await alice.page.textContent('#statusText'))?.trim()).toBe(
      'Server unavailable, retrying…',
    );
    await sleep(3_000);
    expect(alice.page.url()).toBe(`${app.url}/chat.html`);
    expect(await getToken(alice.page)).toBe(token);
    await waitState(alice.page, 'unavailable', 1_000);

    proxy.restore();
    await alice.page.locator('#user', { hasText: 'alice' }).waitFor({ timeout: 25_000 });
    await waitState(alice.page, 'connected', 10_000);
    expect(alice.page.url()).toBe(`${app.url}/chat.html`);
    expect(await getToken(alice.page)).toBe(token);
    // live again: what bob sends now reaches her page, once
    const text = 'after the reload';
    await bob.page.fill('#message', text);
    await bob.page.press('#message', 'Enter');
    await waitLine(alice.page, text, 'li.msg[data-id]', 10_000);
    await sleep(300);
    expect(await countLines(alice.page, text)).toBe(1);
    expect(alice.log.dialogs).toEqual([]);
    expect(alice.log.errors).toEqual([]);
    expect(bob.log.errors).toEqual([]);
  }, 45_000);
});
