/**
 * Swagger UI at /docs under the server's own CSP (script-src and style-src 'self'): it runs,
 * shows every route, and nothing is refused and nothing is fetched from another host.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import {
  describeWithBrowser,
  launchBrowser,
  openUserPage,
  type UserPage,
} from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describeWithBrowser('Swagger UI under the CSP', () => {
  let t: TestApp;
  let browser: Browser;
  let user: UserPage;

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchBrowser();
    user = await openUserPage(browser, { enforceCsp: true });
  }, 60_000);
  afterAll(async () => {
    await user?.context.close();
    await browser?.close();
    await t?.close();
  });

  it('shows every operation with nothing refused and nothing from elsewhere', async () => {
    const console: string[] = [];
    const foreign: string[] = [];
    user.page.on('console', (message) => {
      if (message.type() === 'error') console.push(message.text());
    });
    const failed: string[] = [];
    user.page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    user.page.on('request', (request) => {
      if (!request.url().startsWith(t.url) && !request.url().startsWith('data:')) {
        foreign.push(request.url());
      }
    });
    await user.page.goto(`${t.url}/docs`);
    await user.page.locator('.opblock').first().waitFor({ timeout: 30_000 });
    // Every operation of the document: 7 of the chat, 2 health probes.
    expect(await user.page.locator('.opblock').count()).toBe(9);
    expect(failed).toEqual([]);
    expect(console).toEqual([]);
    expect(user.log.errors).toEqual([]);
    expect(foreign).toEqual([]);
  });
});
