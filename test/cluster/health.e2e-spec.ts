/**
 * Cluster mode: readiness includes Redis. With Redis away the instance still serves its own
 * clients (test/cluster/redis-outage.e2e-spec.ts), but it is not ready for new ones: /health/ready
 * answers 503 naming redis, /health/live stays 200; Redis back, ready is 200 again.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { untilStatus } from '../support/http-status.js';

const SETUP = 180_000;

describe('cluster: health with Redis away and back', () => {
  let cluster: TestCluster | null;

  beforeAll(async () => {
    cluster = await startCluster(1);
  }, SETUP);

  afterAll(() => cluster?.close(), SETUP);

  it('ready checks Redis: 503 naming redis while it is away, 200 once it is back', async () => {
    if (!cluster) return;
    const url = cluster.url(0);
    const ok = await request(url).get('/health/ready').expect(200);
    expect(ok.body.info).toMatchObject({
      database: { status: 'up' },
      redis: { status: 'up' },
      migrations: { status: 'up' },
      shutdown: { status: 'up' },
    });

    await cluster.redis.stop();
    const away = await untilStatus(url, '/health/ready', 503);
    expect(away.body).toMatchObject({
      status: 'error',
      error: { redis: { status: 'down' } },
      info: { database: { status: 'up' } },
    });
    await request(url).get('/health/live').expect(200);

    await cluster.redis.start();
    const back = await untilStatus(url, '/health/ready', 200);
    expect(back.body.info.redis.status).toBe('up');
  }, 60_000);
});
