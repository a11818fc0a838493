/**
 * Durable messages in the browser (our chat.html): history after a reload, offline private
 * messages shown as unread, older pages loaded when scrolling up, acknowledged sending (pending,
 * failed, re-sent with the same cid after a reconnect), what was missed while disconnected, the
 * typing indicator, and logout revoking the token.
 *
 * Four people: alice, bob, carol and dave, each in a browser context of their own; erin and the
 * bulk sender use socket.io-client directly.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { connect, login, until } from '../support/chat-client.js';
import {
  describeWithBrowser,
  getToken,
  launchBrowser,
  openUserPage,
  sleep,
  type UserPage,
  convItem,
  openConversation,
  loginThroughPage,
} from '../support/browser.js';
import { createPeople, PASSWORDS, type Person } from '../support/users.js';

const STEP = 90_000; // wide: the suite must pass on a busy machine
const SETUP = 120_000;
const ABSENCE_WAIT = 1_000;

const unique = (label: string) => `${label} ${Date.now()}-${Math.random().toString(36).slice(2)}`;

/** The message lines of #chatArea that contain this text. */
const lines = (page: Page, text: string) => page.locator('#chatArea li.msg', { hasText: text });

async function login_(u: UserPage, url: string, name: Person): Promise<void> {
  await loginThroughPage(u.page, url, name, PASSWORDS[name]);
  await waitConnected(u.page);
}

async function waitConnected(page: Page): Promise<void> {
  await page.waitForFunction(
    "document.querySelector('#status')?.dataset.state === 'connected'",
    undefined,
    { timeout: 30_000 },
  );
}

/** Sends from the composer to the conversation `to` ('all' or a name) and waits until stored. */
async function sendStored(page: Page, text: string, to = 'all'): Promise<number> {
  if ((await page.inputValue('#select')) !== to) await page.selectOption('#select', to);
  await page.fill('#message', text);
  await page.press('#message', 'Enter');
  return storedId(page, text);
}

/** Waits until the line with this text has its server id; returns it. */
async function storedId(page: Page, text: string): Promise<number> {
  const line = lines(page, text);
  await page.waitForFunction(
    `Array.from(document.querySelectorAll('#chatArea li.msg[data-id]:not(.pending)')).some((li) => li.querySelector('.msg-text')?.textContent === ${JSON.stringify(text)})`,
    undefined,
    { timeout: 30_000 },
  );
  return Number(await line.getAttribute('data-id'));
}

/** The ids of the messages shown in #chatArea, in page order. */
function shownIds(page: Page): Promise<number[]> {
  return page.evaluate<number[]>(
    "Array.from(document.querySelectorAll('#chatArea li.msg[data-id]'), (li) => Number(li.dataset.id))",
  );
}

const ascending = (ids: number[]) => ids.every((id, i) => i === 0 || ids[i - 1] < id);

/**
 * Control over one browser context's socket.io traffic (both transports): record the CONNECT
 * packets (they carry the handshake auth), drop chosen frames, cut the connection and keep it
 * cut.
 */
interface SocketControl {
  connectPackets: string[];
  sent: string[];
  blocked: boolean;
  drop: ((frame: string) => boolean) | null;
  upgraded: boolean;
  cut(): void;
}

async function controlSockets(context: BrowserContext): Promise<SocketControl> {
  const open = new Set<{ close(): Promise<void> }>();
  const ctl: SocketControl = {
    connectPackets: [],
    sent: [],
    blocked: false,
    drop: null,
    upgraded: false,
    cut() {
      for (const ws of open) void ws.close().catch(() => undefined);
      open.clear();
    },
  };
  const seen = (frame: string) => {
    ctl.sent.push(frame);
    // engine.io message (4) + socket.io CONNECT (0): "40{...auth}"
    for (const packet of frame.split('\x1e')) {
      if (packet.startsWith('40')) ctl.connectPackets.push(packet);
    }
  };
  await context.route(/\/socket\.io\/\?/, async (route) => {
    if (ctl.blocked) return route.abort();
    const body = route.request().postData();
    if (body !== null) {
      seen(body);
      // the frame never reaches the server, but the page believes it was sent
      if (ctl.drop?.(body)) return route.fulfill({ status: 200, body: 'ok' });
    }
    return route.continue();
  });
  await context.routeWebSocket(/\/socket\.io\//, (ws) => {
    if (ctl.blocked) {
      void ws.close();
      return;
    }
    const server = ws.connectToServer();
    open.add(ws);
    ws.onMessage((message) => {
      const frame = typeof message === 'string' ? message : message.toString();
      seen(frame);
      if (frame === '5') ctl.upgraded = true; // the engine.io upgrade went through
      if (ctl.drop?.(frame)) return;
      server.send(message);
    });
  });
  return ctl;
}

describeWithBrowser('browser: durable messages', () => {
  let app: TestApp;
  let browser: Browser;
  const pages: UserPage[] = [];
  const sockets: Socket[] = [];
  let alice: UserPage;
  let carol: UserPage;
  let aliceCtl: SocketControl;

  beforeAll(async () => {
    app = await startTestApp();
    await createPeople(app, ['alice', 'bob', 'carol', 'dave', 'erin']);
    browser = await launchBrowser();
  }, SETUP);

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await browser?.close();
    await app?.close();
  }, SETUP);

  async function open(name: Person, options: { control?: boolean } = {}) {
    const u = await openUserPage(browser);
    pages.push(u);
    const ctl = options.control ? await controlSockets(u.context) : undefined;
    await login_(u, app.url, name);
    return { u, ctl };
  }

  it(
    'history: after a reload the group message and the private one are shown again',
    async () => {
      ({ u: alice, ctl: aliceCtl } = (await open('alice', { control: true })) as {
        u: UserPage;
        ctl: SocketControl;
      });
      ({ u: carol } = await open('carol'));
      const { u: bob } = await open('bob');

      const group = unique('group before reload');
      const secret = unique('private before reload');
      await sendStored(alice.page, group, 'all');
      const secretId = await sendStored(alice.page, secret, 'bob');
      await lines(bob.page, group).waitFor({ timeout: 30_000 });

      await alice.page.reload();
      await alice.page.locator('#user', { hasText: 'alice' }).waitFor({ timeout: 30_000 });
      // the group conversation is shown first, with the message once
      await lines(alice.page, group).waitFor({ timeout: 30_000 });
      expect(await lines(alice.page, group).count()).toBe(1);
      expect(await lines(alice.page, secret).count()).toBe(0); // not in the group conversation
      // the private one is in the conversation with bob; one's own messages are never unread
      expect(await convItem(alice.page, 'bob').locator('.conv-badge').isVisible()).toBe(false);
      await openConversation(alice.page, 'bob');
      await lines(alice.page, secret).waitFor({ timeout: 30_000 });
      expect(await lines(alice.page, secret).getAttribute('data-id')).toBe(String(secretId));
      expect(await lines(alice.page, secret).getAttribute('class')).toMatch(/\bprivate\b/);
      expect(ascending(await shownIds(alice.page))).toBe(true);

      await bob.context.close(); // bob is now logged in nowhere
      await waitConnected(alice.page);
    },
    STEP,
  );

  it(
    'a private message to bob while he is offline is stored, and shown as unread when he logs in; carol never sees it',
    async () => {
      const { page } = alice;
      await page.waitForFunction(
        "!Array.from(document.querySelectorAll('#online li'), (li) => li.dataset.user).includes('bob')",
        undefined,
        { timeout: 30_000 },
      );
      // bob is offline: his conversation stays open, marked offline in #select
      await openConversation(page, 'bob');
      expect(await page.locator('#select option:checked').textContent()).toMatch(/offline/);
      const secret = unique('while you were away');
      await sendStored(page, secret, 'bob');
      expect(await lines(page, secret).getAttribute('class')).not.toMatch(/\bfailed\b/);

      const bob = (await open('bob')).u;
      const badge = convItem(bob.page, 'alice').locator('.conv-badge');
      await badge.waitFor({ state: 'visible', timeout: 30_000 });
      expect((await badge.textContent())?.trim()).toBe('1');
      expect(await bob.page.title()).toMatch(/^\(1\)/);
      // bob is on the group conversation: the message is not there
      expect(await lines(bob.page, secret).count()).toBe(0);

      await openConversation(bob.page, 'alice');
      const line = lines(bob.page, secret);
      await line.waitFor({ timeout: 30_000 });
      expect(await line.count()).toBe(1);
      expect(await line.getAttribute('class')).toMatch(/\bunread\b/);
      expect(await line.locator('.unread-marker').textContent()).toBe('new');
      expect(await badge.isVisible()).toBe(false);
      // the earlier private message (seen before) is not marked
      expect(await bob.page.locator('#chatArea li.msg.unread').count()).toBe(1);
      // leaving and coming back: read now
      await openConversation(bob.page, 'all');
      await openConversation(bob.page, 'alice');
      expect(await lines(bob.page, secret).getAttribute('class')).not.toMatch(/\bunread\b/);

      // carol (online all along): nowhere in her page, no conversation with alice either
      await sleep(ABSENCE_WAIT);
      const marker = unique('carol is up to date');
      await sendStored(carol.page, marker);
      expect(await carol.page.locator('body').textContent()).not.toContain(secret);
      expect(await convItem(carol.page, 'alice').count()).toBe(0);
      await bob.context.close();
    },
    STEP,
  );

  it(
    'older messages are loaded when the conversation is scrolled to the top',
    async () => {
      const token = await login(app.url, 'erin', PASSWORDS.erin);
      const erin = await connect(app.url, { token });
      sockets.push(erin);
      const bulk = (i: number) => `bulk-${String(i).padStart(3, '0')}-end`;
      for (let i = 1; i <= 120; i++) {
        const ack = (await erin.emitWithAck('2', { data: bulk(i) })) as { status: number };
        expect(ack.status).toBe(1);
      }
      const { u: dave } = await open('dave');
      const { page } = dave;
      // the history: the 100 most recent messages
      await lines(page, bulk(120)).waitFor({ timeout: 30_000 });
      await page.waitForFunction(
        "document.querySelectorAll('#chatArea li.msg').length >= 100",
        undefined,
        { timeout: 30_000 },
      );
      expect(await lines(page, bulk(1)).count()).toBe(0);
      const before = await page.locator('#chatArea li.msg').count();
      expect(before).toBe(100);

      // scrolled to the top: an older page is put in front, the reader keeps their place
      const topLine = page.locator('#chatArea li.msg').first();
      const topText = await topLine.locator('.msg-text').textContent();
      await page.evaluate("document.querySelector('#chatArea').scrollTop = 0");
      await page.waitForFunction(
        `document.querySelectorAll('#chatArea li.msg').length > ${before}`,
        undefined,
        { timeout: 30_000 },
      );
      const box = await page.evaluate<{ top: number; lineTop: number }>(
        `(() => {
          const area = document.querySelector('#chatArea');
          const line = Array.from(area.querySelectorAll('li.msg')).find((li) => li.querySelector('.msg-text').textContent === ${JSON.stringify(topText)});
          return { top: area.scrollTop, lineTop: line.offsetTop - area.offsetTop };
        })()`,
      );
      expect(box.top).toBeGreaterThan(0); // not left at the top
      expect(Math.abs(box.lineTop - box.top)).toBeLessThan(120); // the old first line is still in view

      // up again until the beginning: bulk 1 and the earlier group message of this file
      for (let i = 0; i < 5 && (await lines(page, bulk(1)).count()) === 0; i++) {
        await page.evaluate("document.querySelector('#chatArea').scrollTop = 0");
        await sleep(400);
      }
      await lines(page, bulk(1)).waitFor({ timeout: 30_000 });
      await lines(page, 'group before reload').waitFor({ timeout: 30_000 });
      const ids = await shownIds(page);
      expect(ascending(ids)).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
      const texts = await page.evaluate<string[]>(
        "Array.from(document.querySelectorAll('#chatArea li.msg .msg-text'), (el) => el.textContent)",
      );
      const bulkTexts = texts.filter((text) => text.startsWith('bulk-'));
      expect(bulkTexts).toEqual(Array.from({ length: 120 }, (_, i) => bulk(i + 1)));
      await dave.context.close();
    },
    STEP,
  );

  it(
    'a refused message shows the server reason on it, once, and is not left pending',
    async () => {
      const { page } = alice;
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
      const text = unique('to nobody');
      await page.fill('#message', text);
      await page.press('#message', 'Enter');
      const line = lines(page, text);
      await line.locator('.msg-error').waitFor({ timeout: 30_000 });
      expect(await line.getAttribute('class')).toMatch(/\bfailed\b/);
      expect(await line.getAttribute('class')).not.toMatch(/\bpending\b/);
      expect((await line.locator('.msg-error').textContent())?.trim()).toMatch(/^Not sent: \S/);
      await sleep(600);
      // the same reason, also sent as event '0', is not repeated as a notice line
      expect(await page.locator('#chatArea .notice-line').count()).toBe(0);
      await openConversation(page, 'all');
    },
    STEP,
  );

  it(
    'a message whose frame was lost stays pending, and is re-sent with the same cid after a reconnect, delivered once',
    async () => {
      const { page } = alice;
      await until(() => aliceCtl.upgraded, 10_000, 'the websocket upgrade');
      const text = unique('lost then re-sent');
      aliceCtl.drop = (frame) => frame.includes(text);
      await page.fill('#message', text);
      await page.press('#message', 'Enter');
      const line = lines(page, text);
      await line.waitFor({ timeout: 30_000 });
      await sleep(ABSENCE_WAIT);
      expect(await line.getAttribute('class')).toMatch(/\bpending\b/);
      expect(await line.getAttribute('data-id')).toBeNull();
      expect(await lines(carol.page, text).count()).toBe(0);
      const lost = aliceCtl.sent.filter((frame) => frame.includes(text));
      expect(lost).toHaveLength(1);
      const cid = /"cid":"([\w-]+)"/.exec(lost[0])?.[1];
      expect(cid).toMatch(/^[A-Za-z0-9_-]{1,64}$/);

      aliceCtl.drop = null;
      aliceCtl.cut();
      await storedId(page, text);
      const again = aliceCtl.sent.filter((frame) => frame.includes(text));
      expect(again.length).toBeGreaterThanOrEqual(2);
      for (const frame of again) expect(frame).toContain(`"cid":"${cid}"`);
      await lines(carol.page, text).waitFor({ timeout: 30_000 });
      await sleep(300);
      expect(await lines(carol.page, text).count()).toBe(1);
      expect(await lines(page, text).count()).toBe(1);
    },
    STEP,
  );

  it(
    'after a disconnection the page asks for what it missed (lastId) and shows it once, in order; what was typed meanwhile is sent',
    async () => {
      const { page } = alice;
      await waitConnected(page);
      const seenBefore = Math.max(...(await shownIds(page)));
      const token = await login(app.url, 'dave', PASSWORDS.dave);
      const dave = await connect(app.url, { token });
      sockets.push(dave);

      aliceCtl.blocked = true;
      aliceCtl.cut();
      await page.waitForFunction(
        "document.querySelector('#status')?.dataset.state === 'reconnecting'",
        undefined,
        { timeout: 30_000 },
      );
      const packetsBefore = aliceCtl.connectPackets.length;
      const missed = [unique('missed one'), unique('missed two'), unique('missed three')];
      for (const data of missed) {
        const ack = (await dave.emitWithAck('2', { data })) as { status: number };
        expect(ack.status).toBe(1);
      }
      const queued = unique('typed while offline');
      await page.fill('#message', queued);
      await page.press('#message', 'Enter');
      await lines(page, queued).waitFor({ timeout: 30_000 });
      expect(await lines(page, queued).getAttribute('class')).toMatch(/\bpending\b/);

      aliceCtl.blocked = false;
      for (const data of missed) await lines(page, data).waitFor({ timeout: 30_000 });
      await storedId(page, queued);
      for (const data of missed) expect(await lines(page, data).count()).toBe(1);
      const ids = await shownIds(page);
      expect(ascending(ids)).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);

      // the reconnection's handshake carried the highest id seen before it
      const connects = aliceCtl.connectPackets.slice(packetsBefore);
      expect(connects.length).toBeGreaterThanOrEqual(1);
      const auth = JSON.parse(connects[connects.length - 1].slice(2)) as {
        token: string;
        lastId?: number;
      };
      expect(typeof auth.lastId).toBe('number');
      expect(auth.lastId).toBeGreaterThanOrEqual(seenBefore);
      expect(auth.lastId).toBeLessThan(Math.min(...ids.filter((id) => id > seenBefore)));
      // the very first handshake of the page had none
      expect(JSON.parse(aliceCtl.connectPackets[0].slice(2))).not.toHaveProperty('lastId');
    },
    STEP,
  );

  it(
    'typing: "bob is typing…" shows in that conversation only, and goes after silence or with his message',
    async () => {
      const { u: bob } = await open('bob');
      const { page } = alice;
      await openConversation(page, 'all');
      const typing = page.locator('#typing');

      await bob.page.selectOption('#select', 'all');
      await bob.page.locator('#message').pressSequentially('hel', { delay: 30 });
      await typing.waitFor({ state: 'visible', timeout: 30_000 });
      expect((await typing.textContent())?.trim()).toBe('bob is typing…');
      // carol sees it too in the group; bob does not see himself
      await carol.page
        .locator('#typing', { hasText: 'bob is typing' })
        .waitFor({ timeout: 30_000 });
      expect(await bob.page.locator('#typing').isVisible()).toBe(false);
      // silence: gone after about 4 s
      const shownAt = Date.now();
      await typing.waitFor({ state: 'hidden', timeout: 8_000 });
      expect(Date.now() - shownAt).toBeGreaterThan(2_000);

      // typing then sending: the message ends it at once
      await bob.page.locator('#message').pressSequentially('lo', { delay: 30 });
      await typing.waitFor({ state: 'visible', timeout: 30_000 });
      const text = unique('done typing');
      await bob.page.fill('#message', text);
      await bob.page.press('#message', 'Enter');
      await lines(page, text).waitFor({ timeout: 30_000 });
      await typing.waitFor({ state: 'hidden', timeout: 1_000 });

      // typing to alice privately: not shown in the group conversation, shown in bob's
      await bob.page.selectOption('#select', 'alice');
      await bob.page.locator('#message').pressSequentially('psst', { delay: 30 });
      await sleep(ABSENCE_WAIT);
      expect(await typing.isVisible()).toBe(false);
      expect(await carol.page.locator('#typing').isVisible()).toBe(false);
      await openConversation(page, 'bob');
      await bob.page.locator('#message').pressSequentially('t', { delay: 30 });
      await sleep(2_100); // the page tells the server at most every 2 s
      await bob.page.locator('#message').pressSequentially('t', { delay: 30 });
      await page.locator('#typing', { hasText: 'bob is typing' }).waitFor({ timeout: 30_000 });
      await bob.context.close();
    },
    STEP,
  );

  it(
    'logout revokes the token: /userinfo answers 401 and a socket with it is refused',
    async () => {
      const { page, context } = alice;
      const token = (await getToken(page))!;
      expect(token).toBeTruthy();
      const logout = page.waitForResponse((r) => r.url() === `${app.url}/logout`);
      await page.click('#logout');
      expect((await logout).status()).toBe(200);
      await page.waitForURL(`${app.url}/login.html`, { timeout: 30_000 });
      expect(await getToken(page)).toBeNull();
      await page.locator('#notice', { hasText: 'signed out' }).waitFor({ timeout: 30_000 });

      const res = await context.request.get(`${app.url}/userinfo`, {
        headers: { Authorization: token },
      });
      expect(res.status()).toBe(401);
      await expect(connect(app.url, { token })).rejects.toThrow('unauthorized');
    },
    STEP,
  );

  it(
    'no page raised an uncaught error or an alert()',
    () => {
      for (const u of pages) {
        expect(u.log.errors).toEqual([]);
        expect(u.log.dialogs).toEqual([]);
      }
    },
    STEP,
  );
});
