/**
 * Our page and a catch-up cut short: the connection drops in the middle of a long catch-up, after
 * a live message overtook its last pages. The page must reconnect from the last id of a catch-up
 * it completed, so that after the reconnect every message is shown, each once.
 *
 * alice uses the page; erin sends with socket.io-client.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import type { AckResponse as Ack } from '../../src/protocol/index.js';
import { connect, login, until } from '../support/chat-client.js';
import {
  describeWithBrowser,
  launchBrowser,
  openUserPage,
  sleep,
  type UserPage,
  loginThroughPage,
} from '../support/browser.js';
import { createPeople, PASSWORDS } from '../support/users.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const SETUP = 60_000;
const MISSED = 1200; // three catch-up pages
const gapText = (i: number) => `gap-${String(i).padStart(4, '0')}`;
const LIVE_TEXT = 'live during the catch-up';
const BEFORE_TEXT = 'before alice came';

/** What to do with one socket.io packet from the server to the page. */
type Verdict = 'pass' | 'lose' | 'pass-then-drop';

/**
 * Control over the packets the server sends a browser context. The WebSocket upgrade is refused,
 * so the page stays on long polling and every packet passes here: a filter can lose some and
 * drop the connection after one; while `blocked`, every request fails (the network is down).
 */
interface Downlink {
  blocked: boolean;
  filter: ((packet: string) => Verdict) | null;
  dropped: boolean;
}

async function controlDownlink(context: BrowserContext): Promise<Downlink> {
  const link: Downlink = { blocked: false, filter: null, dropped: false };
  /** The packets to deliver; blocks the link when the connection is to drop after them. */
  const sift = (packets: string[]): string[] => {
    const kept: string[] = [];
    for (const packet of packets) {
      const verdict = link.filter?.(packet) ?? 'pass';
      if (verdict === 'lose') continue;
      kept.push(packet);
      if (verdict === 'pass-then-drop') {
        link.dropped = true;
        link.blocked = true;
        break;
      }
    }
    return kept;
  };
  await context.routeWebSocket(/\/socket\.io\//, (ws) => void ws.close());
  // A poll's response holds packets separated by \x1e.
  await context.route(/\/socket\.io\/\?/, async (route) => {
    if (link.blocked) return route.abort();
    if (route.request().method() !== 'GET') return route.continue();
    let response: Awaited<ReturnType<typeof route.fetch>>;
    let body: string;
    try {
      response = await route.fetch();
      // The page may have given up on this poll meanwhile (a busy machine): its response is gone.
      body = await response.text();
    } catch {
      return route.abort().catch(() => undefined);
    }
    // The network went down while the server was answering: the answer is lost.
    if (link.blocked) return route.abort();
    const kept = sift(body.split('\x1e'));
    // '6' is engine.io's noop: a poll must answer something.
    return route.fulfill({ response, body: kept.length ? kept.join('\x1e') : '6' });
  });
  return link;
}

/** The texts of the message lines shown in #chatArea. */
function shownTexts(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(
    "Array.from(document.querySelectorAll('#chatArea li.msg .msg-text'), (el) => el.textContent)",
  );
}

async function waitConnected(page: Page): Promise<void> {
  await page.waitForFunction(
    "document.querySelector('#status')?.dataset.state === 'connected'",
    undefined,
    { timeout: 60_000 },
  );
}

describeWithBrowser('browser: a drop in the middle of a catch-up', () => {
  let app: TestApp;
  let browser: Browser;
  let alice: UserPage;
  let erin: Socket;

  beforeAll(async () => {
    app = await startTestApp();
    await createPeople(app, ['alice', 'erin']);
    erin = await connect(app.url, {
      token: await login(app.url, 'erin', PASSWORDS.erin),
    });
    browser = await launchBrowser();
  }, SETUP);

  afterAll(async () => {
    erin?.close();
    await browser?.close();
    await app?.close();
  }, SETUP);

  it('after the reconnect every message is shown, each once', async () => {
    // Something to see at the first connect: the page has a lastId from then on.
    const ack = (await erin.timeout(20_000).emitWithAck('2', { data: BEFORE_TEXT })) as Ack;
    expect(ack.status).toBe(1);
    alice = await openUserPage(browser);
    const link = await controlDownlink(alice.context);
    const { page } = alice;
    await loginThroughPage(page, app.url, 'alice', PASSWORDS.alice);
    await waitConnected(page);
    await page.locator('#chatArea li.msg', { hasText: BEFORE_TEXT }).waitFor({ timeout: 20_000 });
    await sleep(500); // the first catch-up is done

    // alice is away (her network is down) while erin writes three pages' worth.
    link.blocked = true;
    for (let start = 0; start < MISSED; start += 100) {
      const acks = await Promise.all(
        Array.from(
          { length: 100 },
          (_, k) =>
            erin.timeout(20_000).emitWithAck('2', { data: gapText(start + k) }) as Promise<Ack>,
        ),
      );
      expect(acks.every((ack) => ack.status === 1)).toBe(true);
    }
    await page.waitForFunction(
      "document.querySelector('#status')?.dataset.state !== 'connected'",
      undefined,
      { timeout: 60_000 },
    );

    // She comes back: the first history page arrives; erin's next message overtakes the other
    // pages, which are lost when the connection drops right after it.
    let firstPage: string | null = null;
    const sent: { live?: Promise<unknown> } = {};
    link.filter = (packet) => {
      if (packet.startsWith('42["history"')) {
        if (firstPage !== null) return 'lose';
        firstPage = packet;
        sent.live = erin.timeout(20_000).emitWithAck('2', { data: LIVE_TEXT });
        return 'pass';
      }
      if (packet.startsWith('42["2"') && packet.includes(LIVE_TEXT)) return 'pass-then-drop';
      return 'pass';
    };
    link.blocked = false;
    await until(() => link.dropped, 60_000, 'the drop after the live message');
    await sent.live;
    expect(firstPage).toMatch(/"done":false/);
    // The poll that carried the live message is answered once the drop is decided: let the page
    // draw it before reading what it shows.
    await page.locator('#chatArea li.msg', { hasText: LIVE_TEXT }).waitFor({ timeout: 20_000 });
    const before = await shownTexts(page);
    expect(before).toContain(LIVE_TEXT);
    expect(before.filter((text) => text.startsWith('gap-')).length).toBeLessThan(MISSED);

    // The network is back: the page reconnects and catches up.
    await sleep(500);
    link.filter = null;
    link.blocked = false;
    await waitConnected(page);
    await page.waitForFunction(
      `document.querySelectorAll('#chatArea li.msg').length >= ${MISSED + 2}`,
      undefined,
      { timeout: 60_000 },
    );
    await sleep(1000); // anything shown twice would be there by now
    const texts = await shownTexts(page);
    const gap = Array.from({ length: MISSED }, (_, i) => gapText(i));
    const expected = [BEFORE_TEXT, ...gap, LIVE_TEXT];
    expect(texts).toEqual(expected);
    const ids = await page.evaluate<number[]>(
      "Array.from(document.querySelectorAll('#chatArea li.msg[data-id]'), (li) => Number(li.dataset.id))",
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(alice.log.errors).toEqual([]);
  }, 240_000);
});
