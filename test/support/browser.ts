import { existsSync } from 'node:fs';
import { describe } from '@jest/globals';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); the tests never download a browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const browserAvailable = existsSync(CHROMIUM_PATH);

const missingMessage =
  `Chromium not found at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` ` +
  '(or set CHROMIUM_PATH).';

/**
 * `describe` for suites that need a browser. Without Chromium the suite is skipped with a clear
 * message, except under CI (process.env.CI set), where it runs and fails in launchBrowser().
 */
export function describeWithBrowser(name: string, fn: () => void): void {
  if (!browserAvailable && !process.env.CI) {
    console.warn(`Skipping "${name}": ${missingMessage}`);
    describe.skip(`${name} (skipped: no Chromium at ${CHROMIUM_PATH})`, fn);
    return;
  }
  describe(name, fn);
}

/** Headless Chromium for the browser tests; throws when it is missing (see describeWithBrowser). */
export async function launchBrowser(): Promise<Browser> {
  if (!browserAvailable) throw new Error(missingMessage);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** What a page did that a test may want to assert on: dialogs (alert()) and script errors. */
export interface PageLog {
  dialogs: string[];
  errors: string[];
}

export interface UserPage {
  context: BrowserContext;
  page: Page;
  log: PageLog;
}

/**
 * A page in a fresh context (its own localStorage, as another person's browser). Dialogs are
 * recorded and accepted; uncaught page errors are recorded.
 */
export async function openUserPage(
  browser: Browser,
  options: {
    locale?: string;
    viewport?: { width: number; height: number };
    /** Keep the server's Content-Security-Policy in force. */
    enforceCsp?: boolean;
  } = {},
): Promise<UserPage> {
  const context = await browser.newContext({
    locale: options.locale ?? 'en-US',
    viewport: options.viewport ?? { width: 1280, height: 800 },
    // Playwright's string predicates (waitForFunction) are evaluated in the page, which our CSP
    // forbids; functional tests lift it, the CSP test keeps it.
    bypassCSP: !options.enforceCsp,
  });
  const page = await context.newPage();
  const log: PageLog = { dialogs: [], errors: [] };
  page.on('dialog', (dialog) => {
    log.dialogs.push(dialog.message());
    dialog.accept().catch(() => undefined);
  });
  page.on('pageerror', (error) => log.errors.push(error.message));
  return { context, page, log };
}

/** localStorage.token of the page's origin (the tsconfig has no DOM lib: evaluate a string). */
export function getToken(page: Page): Promise<string | null> {
  return page.evaluate<string | null>("localStorage.getItem('token')");
}

export async function setToken(page: Page, token: string | null): Promise<void> {
  await page.evaluate(
    token === null
      ? "localStorage.removeItem('token')"
      : `localStorage.setItem('token', ${JSON.stringify(token)})`,
  );
}

/** Escapes text for use inside a RegExp. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** The entry of a conversation in the chat page's sidebar ('all' for the group, else the peer). */
export const convItem = (page: Page, key: string) =>
  page.locator(`#conversations li[data-conv="${key}"]`);

/** Opens a conversation from the sidebar and waits for #select to follow. */
export async function openConversation(page: Page, key: string): Promise<void> {
  await convItem(page, key).click();
  await page.waitForFunction(
    `document.querySelector('#select').value === ${JSON.stringify(key)}`,
    undefined,
    { timeout: 15_000 },
  );
}

/** Fills login.html and submits it, as a person would. */
export async function submitLogin(
  page: Page,
  url: string,
  name: string,
  password: string,
): Promise<void> {
  await page.goto(`${url}/login.html`);
  await page.fill('#username', name);
  await page.fill('#password', password);
  await page.click('#login');
}

/** Logs in through login.html and waits for chat.html to show the user signed in. */
export async function loginThroughPage(
  page: Page,
  url: string,
  name: string,
  password: string,
  timeout = 30_000,
): Promise<void> {
  await submitLogin(page, url, name, password);
  await page.waitForURL(`${url}/chat.html`, { timeout });
  await page.locator('#user', { hasText: name }).waitFor({ timeout });
}
