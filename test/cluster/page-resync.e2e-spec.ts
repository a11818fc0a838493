/**
 * Cluster mode, our page and a Redis outage: carol's page is connected to instance B; alice
 * writes on instance A while Redis is away, so the message cannot reach B live. Once Redis is
 * back, the page shows it, once, without a reload (it answers `resync` with a `catch-up`).
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import type { AckResponse } from '../../src/protocol/index.js';
import {
  describeWithBrowser,
  launchBrowser,
  loginThroughPage,
  openUserPage,
  sleep,
  type UserPage,
} from '../support/browser.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { PASSWORDS } from '../support/users.js';

const SETUP = 180_000;
const TEXT = 'written on A while Redis was away';

/** Message lines in #chatArea whose text is exactly `text`. */
function countLines(page: Page, text: string): Promise<number> {
  return page.evaluate<number>(
    `Array.from(document.querySelectorAll('#chatArea li.msg')).filter((li) => li.querySelector('.msg-text')?.textContent === ${JSON.stringify(text)}).length`,
  );
}

describeWithBrowser('cluster: our page after a Redis outage', () => {
  let cluster: TestCluster | null;
  let browser: Browser | undefined;
  let carol: UserPage | undefined;

  beforeAll(async () => {
    cluster = await startCluster(2, { users: ['alice', 'carol'] });
    if (!cluster) return;
    browser = await launchBrowser();
  }, SETUP);

  afterAll(async () => {
    await carol?.context.close();
    await browser?.close();
    await cluster?.close();
  }, SETUP);

  it('shows what it missed once Redis is back, once, without a reload', async () => {
    if (!cluster) return;
    const alice = await cluster.connectAs('alice', 0);
    carol = await openUserPage(browser!);
    const { page } = carol;
    await loginThroughPage(page, cluster.url(1), 'carol', PASSWORDS.carol);
    const say = async (data: string) => {
      const ack = (await alice.timeout(20_000).emitWithAck('2', { data })) as AckResponse;
      expect(ack.status).toBe(1);
    };
    await say('before the outage');
    await page.locator('#chatArea li.msg', { hasText: 'before the outage' }).waitFor();
    // Gone if the page reloads.
    await page.evaluate('window.__sameDocument = true');

    await cluster.redis.stop();
    await sleep(500);
    await say(TEXT);
    await sleep(1500);
    expect(await countLines(page, TEXT)).toBe(0);

    await cluster.redis.start();
    await page.locator('#chatArea li.msg', { hasText: TEXT }).waitFor({ timeout: 20_000 });
    await sleep(1000);
    expect(await countLines(page, TEXT)).toBe(1);
    expect(await countLines(page, 'before the outage')).toBe(1);
    expect(await page.evaluate<boolean>('window.__sameDocument === true')).toBe(true);
    expect(carol.log.errors).toEqual([]);
  });
});
