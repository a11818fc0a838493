import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import { MetricsServer } from '../src/metrics/metrics.server.js';
import { connect, login, sleep } from './support/chat-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Histogram series carry these suffixes; the metric itself is named without them. */
const HISTOGRAM_SUFFIX = /_(bucket|sum|count)$/;
/** PromQL words that look like metric names and are not (functions, keywords, labels). */
const PROMQL_WORDS = new Set([
  'sum',
  'max',
  'min',
  'avg',
  'rate',
  'irate',
  'increase',
  'histogram_quantile',
  'by',
  'without',
  'le',
]);

/** Every metric name used in the dashboard's queries. */
function dashboardMetrics(): Set<string> {
  const dashboard = JSON.parse(
    readFileSync(new URL('../deploy/grafana-dashboard.json', import.meta.url), 'utf8'),
  ) as { panels: Array<{ targets?: Array<{ expr: string }> }> };
  const names = new Set<string>();
  for (const panel of dashboard.panels) {
    for (const { expr } of panel.targets ?? []) {
      const bare = expr
        .replace(/\{[^}]*\}/g, '') // label matchers
        .replace(/\[[^\]]*\]/g, '') // range selectors
        .replace(/\b(by|without)\s*\([^)]*\)/g, ''); // grouping labels
      for (const [word] of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
        if (!PROMQL_WORDS.has(word)) names.add(word);
      }
    }
  }
  return names;
}

/** `name{labels} value` lines of the exposition, without comments. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

describe('metrics', () => {
  let t: TestApp;
  let metricsUrl: string;
  const open: Socket[] = [];

  const scrape = async () => {
    const res = await request(metricsUrl).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    return res.text;
  };
  const value = async (series: string) => samples(await scrape()).get(series) ?? 0;

  beforeAll(async () => {
    t = await startTestApp({ METRICS_PORT: '0' });
    metricsUrl = `http://127.0.0.1:${t.app.get(MetricsServer).port}`;
    await t.createUser('alice', 'alice-password');
    await t.createUser('bob', 'bob-password');
  });
  afterAll(async () => {
    for (const socket of open) socket.close();
    await t.close();
  });

  it('is not served on the public port', async () => {
    await request(t.url).get('/metrics').expect(404);
    expect(t.app.get(MetricsServer).port).not.toBe(t.port);
  });

  it('answers nothing but GET /metrics', async () => {
    await request(metricsUrl).get('/').expect(404);
    await request(metricsUrl).post('/metrics').expect(404);
  });

  it('counts logins, messages, refusals, sockets and requests as they happen', async () => {
    const stored = await value('chat_messages_stored_total{kind="group"}');
    const privateStored = await value('chat_messages_stored_total{kind="private"}');
    const token = await login(t.url, 'alice', 'alice-password');
    await request(t.url)
      .post('/login')
      .send({ username: 'alice', password: 'wrong-password' })
      .expect(401);
    const alice = await connect(t.url, { token });
    open.push(alice);
    const ack = (await alice.timeout(10000).emitWithAck('2', { data: 'hello' })) as {
      status: number;
    };
    expect(ack.status).toBe(1);
    const refused = (await alice.timeout(10000).emitWithAck('2', { data: 42 })) as {
      status: number;
    };
    expect(refused.status).toBe(0);
    await request(t.url).get('/no-such-page').expect(404);

    const after = samples(await scrape());
    expect(after.get('chat_messages_stored_total{kind="group"}')).toBe(stored + 1);
    expect(after.get('chat_messages_stored_total{kind="private"}') ?? 0).toBe(privateStored);
    expect(after.get('chat_message_ack_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(after.get('chat_message_delivery_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(after.get('chat_store_batch_size_count')).toBeGreaterThanOrEqual(1);
    expect(after.get('chat_db_query_duration_seconds_count{operation="store_batch"}')).toBe(
      after.get('chat_store_batch_size_count'),
    );
    expect(after.get('chat_logins_total{outcome="success"}')).toBeGreaterThanOrEqual(1);
    expect(after.get('chat_logins_total{outcome="bad_credentials"}')).toBe(1);
    expect(after.get('chat_refused_events_total{reason="validation"}')).toBe(1);
    expect(after.get('chat_socket_connects_total{outcome="accepted"}')).toBeGreaterThanOrEqual(1);
    expect(after.get('chat_open_sockets')).toBe(1);
    expect(after.get('chat_users_online')).toBe(1);
    expect(after.get('chat_http_requests_total{route="/login",method="POST",status="200"}')).toBe(
      1,
    );
    expect(after.get('chat_http_requests_total{route="/login",method="POST",status="401"}')).toBe(
      1,
    );
    expect(
      after.get('chat_http_requests_total{route="unmatched",method="GET",status="404"}'),
    ).toBeGreaterThanOrEqual(1);

    alice.close();
    await sleep(200);
    const closed = samples(await scrape());
    expect(closed.get('chat_open_sockets')).toBe(0);
    expect(closed.get('chat_socket_disconnects_total{reason="client namespace disconnect"}')).toBe(
      1,
    );
  });

  it('has every metric the Grafana dashboard queries', async () => {
    const text = await scrape();
    const names = new Set([...samples(text).keys()].map((series) => series.replace(/\{.*$/, '')));
    // A labelled counter nothing has counted yet (no database error so far) has no series, only
    // its HELP and TYPE lines: it exists all the same.
    const types = new Map(
      [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => [name, type]),
    );
    const exists = (name: string) =>
      names.has(name) ||
      types.has(name) ||
      types.get(name.replace(HISTOGRAM_SUFFIX, '')) === 'histogram';
    const wanted = dashboardMetrics();
    // The extraction itself: a histogram's series, a process default, a labelled counter.
    for (const name of [
      'chat_message_ack_seconds_bucket',
      'nodejs_eventloop_lag_p99_seconds',
      'chat_refused_events_total',
    ])
      expect(wanted).toContain(name);
    expect([...wanted].filter((name) => !exists(name))).toEqual([]);
    expect(exists('chat_no_such_metric')).toBe(false);
  });
});
