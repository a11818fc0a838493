/**
 * deploy/nginx.conf, the shipped file, in front of two instances: people log in and chat through
 * it in a real browser, landing on different instances, and a long-polling-only client works
 * (socket.io's polling needs the sticky upstream: each of its requests must reach the instance
 * that holds its session).
 *
 * nginx hashes the client's address, and every browser here comes from 127.0.0.1: each person's
 * browser goes through a TCP relay that connects to nginx from an address of its own (127.0.0.x,
 * all loopback on Linux), chosen so that the two land on different instances. nginx's access log
 * ($upstream_addr, in the shipped log format) shows which instance served every request.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import type { AckResponse, GroupChatMessage } from '../../src/protocol/index.js';
import {
  browserAvailable,
  convItem,
  launchBrowser,
  loginThroughPage,
  openConversation,
  openUserPage,
  type UserPage,
} from '../support/browser.js';
import { login, next, until } from '../support/chat-client.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import {
  getFrom,
  nginxAvailable,
  NGINX_PATH,
  startNginx,
  type TestNginx,
} from '../support/nginx.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { PASSWORDS } from '../support/users.js';

const SETUP = 240_000;
const STEP = 90_000;

/** Outside CI, no nginx or no Chromium: skipped with the reason; in CI it runs (and fails). */
const missing = [
  nginxAvailable ? '' : `no nginx at ${NGINX_PATH} (apt-get install -y nginx)`,
  browserAvailable ? '' : 'no Chromium',
].filter(Boolean);
const describeHere = missing.length > 0 && !process.env.CI ? describe.skip : describe;
if (missing.length > 0 && !process.env.CI)
  console.warn(`skipping nginx test: ${missing.join(', ')}`);

const lines = (page: Page, text: string) => page.locator('#chatArea li', { hasText: text });

async function send(page: Page, text: string, to = 'all'): Promise<void> {
  await page.selectOption('#select', to);
  await page.fill('#message', text);
  await page.press('#message', 'Enter');
}

describeHere('cluster: deploy/nginx.conf in front of two instances', () => {
  let cluster: TestCluster | null;
  let nginx: TestNginx;
  let browser: Browser;
  /** host:port of each instance, as nginx's $upstream_addr names it. */
  let upstreams: string[];
  /** Per person: the client address nginx sees, the relay that gives it, the page. */
  const people = {} as Record<
    'alice' | 'bob',
    { address: string; relay: TcpProxy; user: UserPage }
  >;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    // TRUST_PROXY=1, as the README says to run behind nginx.
    cluster = await startCluster(2, {
      env: { TRUST_PROXY: '1' },
      users: ['alice', 'bob', 'carol'],
    });
    if (!cluster) return;
    upstreams = cluster.instances.map((instance) => new URL(instance.url).host);
    nginx = await startNginx(upstreams);

    // Where does each candidate address land? One request each, then the access log.
    const candidates = Array.from({ length: 30 }, (_, i) => `127.0.0.${i + 2}`);
    for (const address of candidates)
      expect(await getFrom(nginx.url, '/settings', address)).toBe(200);
    await until(() => nginx.accessLog().length >= candidates.length, 10_000, 'access log');
    const landing = new Map(nginx.accessLog().map((line) => [line.client, line.upstream]));
    const addresses = upstreams.map((upstream) => {
      const address = candidates.find((candidate) => landing.get(candidate) === upstream);
      if (!address) throw new Error(`no client address of 30 lands on ${upstream}`);
      return address;
    });

    browser = await launchBrowser();
    for (const [i, name] of (['alice', 'bob'] as const).entries()) {
      const relay = await startTcpProxy('127.0.0.1', nginx.port, { localAddress: addresses[i] });
      people[name] = { address: addresses[i], relay, user: await openUserPage(browser) };
    }
  }, SETUP);

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await browser?.close();
    for (const person of Object.values(people)) await person.relay.close();
    await nginx?.stop();
    await cluster?.close();
  }, SETUP);

  const pageUrl = (name: 'alice' | 'bob') => `http://127.0.0.1:${people[name].relay.port}`;

  it(
    'two people log in and chat through nginx, each on another instance',
    async () => {
      if (!cluster) return;
      const { alice, bob } = people;
      await loginThroughPage(alice.user.page, pageUrl('alice'), 'alice', PASSWORDS.alice);
      await loginThroughPage(bob.user.page, pageUrl('bob'), 'bob', PASSWORDS.bob);

      const hello = `hello from instance 0 ${Date.now()}`;
      await send(alice.user.page, hello);
      await lines(bob.user.page, hello).waitFor({ timeout: 30_000 });
      const answer = `answer from instance 1 ${Date.now()}`;
      await send(bob.user.page, answer);
      await lines(alice.user.page, answer).waitFor({ timeout: 30_000 });

      expect(alice.user.log.errors).toEqual([]);
      expect(bob.user.log.errors).toEqual([]);
    },
    STEP,
  );

  it(
    'a long-polling-only client logs in and chats through nginx',
    async () => {
      if (!cluster) return;
      const token = await login(nginx.url, 'carol', PASSWORDS.carol);
      const carol = io(nginx.url, {
        auth: { token },
        transports: ['polling'],
        reconnection: false,
        forceNew: true,
      });
      sockets.push(carol);
      await new Promise<void>((resolve, reject) => {
        carol.once('connect', resolve);
        carol.once('connect_error', reject);
      });
      // Several messages each way: every one is another polling request on the same session.
      for (let i = 0; i < 3; i++) {
        const fromBob = `bob to the polling client ${i} ${Date.now()}`;
        const seen = next<GroupChatMessage>(carol, '2', (m) => m.data === fromBob, 30_000);
        await send(people.bob.user.page, fromBob, 'all');
        expect((await seen).user).toBe('bob');
        const fromCarol = `carol polls ${i} ${Date.now()}`;
        const ack = (await carol
          .timeout(30_000)
          .emitWithAck('2', { data: fromCarol })) as AckResponse;
        expect(ack.status).toBe(1);
        await lines(people.alice.user.page, fromCarol).waitFor({ timeout: 30_000 });
      }
      // A private message from the polling client reaches alice's page (under her conversation
      // with carol). The page offers only online people as recipients; this one goes the other way.
      const secret = `psst alice ${Date.now()}`;
      const ack = (await carol
        .timeout(30_000)
        .emitWithAck('3', { data: secret, to: 'alice' })) as AckResponse;
      expect(ack.status).toBe(1);
      await convItem(people.alice.user.page, 'carol').waitFor({ timeout: 30_000 });
      await openConversation(people.alice.user.page, 'carol');
      await lines(people.alice.user.page, secret).waitFor({ timeout: 30_000 });
      expect(carol.io.engine.transport.name).toBe('polling');
      expect(carol.connected).toBe(true);
    },
    STEP,
  );

  it(
    "every request of a client reached the same instance, the browsers' WebSocket upgrades included",
    async () => {
      if (!cluster) return;
      // A WebSocket is logged when it closes.
      for (const person of Object.values(people)) await person.user.context.close();
      for (const socket of sockets) socket.close();
      const socketIo = (client: string) =>
        nginx.accessLog().filter((l) => l.client === client && l.request.includes('/socket.io/'));
      for (const [i, name] of (['alice', 'bob'] as const).entries()) {
        await until(
          () => socketIo(people[name].address).some((l) => l.status === 101),
          15_000,
          `${name}'s WebSocket in the access log`,
        );
        const requests = socketIo(people[name].address);
        expect(requests.some((l) => l.request.includes('transport=polling'))).toBe(true);
        expect(new Set(requests.map((l) => l.upstream))).toEqual(new Set([upstreams[i]]));
      }
      // carol (from 127.0.0.1): polling only, many requests, one instance.
      const carol = socketIo('127.0.0.1');
      expect(carol.length).toBeGreaterThanOrEqual(6);
      expect(carol.every((l) => l.request.includes('transport=polling'))).toBe(true);
      expect(new Set(carol.map((l) => l.upstream)).size).toBe(1);
      expect(carol.every((l) => l.status === 200)).toBe(true);
    },
    STEP,
  );
});
