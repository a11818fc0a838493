import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Every route the app exposes (method and OpenAPI path) and whether it takes a token. */
const ROUTES: Array<[method: string, path: string, token: boolean]> = [
  ['post', '/login', false],
  ['post', '/register', false],
  ['post', '/logout', true],
  ['get', '/userinfo', true],
  ['get', '/messages', true],
  ['get', '/settings', false],
  ['get', '/', false],
  ['get', '/health/live', false],
  ['get', '/health/ready', false],
];

type Operation = {
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
  security?: Array<Record<string, string[]>>;
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, { properties?: Record<string, unknown> }>;
    securitySchemes: Record<string, { type: string; in?: string; name?: string }>;
  };
};

const ERROR_REF = '#/components/schemas/ApiErrorBody';

/** README "API documents": the OpenAPI document and Swagger UI at /docs, unless DOCS=off. */
describe('API documents', () => {
  let t: TestApp;
  let doc: Document;

  beforeAll(async () => {
    t = await startTestApp();
    const res = await request(t.url).get('/docs/openapi.json').expect(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    doc = JSON.parse(res.text) as Document;
  }, 60_000);
  afterAll(() => t?.close());

  it('is OpenAPI 3 with every route and nothing else', () => {
    expect(doc.openapi).toMatch(/^3\./);
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method} ${path}`),
    );
    expect(documented.sort()).toEqual(ROUTES.map(([m, p]) => `${m} ${p}`).sort());
  });

  it('gives every route a 4xx with the error body, and the protected ones a token', () => {
    const schemes = doc.components.securitySchemes;
    expect(schemes.token).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization' });
    expect(Object.keys(doc.components.schemas.ApiErrorBody.properties ?? {}).sort()).toEqual([
      'code',
      'msg',
      'status',
    ]);
    for (const [method, path, token] of ROUTES) {
      const op = doc.paths[path][method];
      const errors = Object.entries(op.responses).filter(
        ([status, r]) =>
          /^4\d\d$/.test(status) && r.content?.['application/json']?.schema?.$ref === ERROR_REF,
      );
      expect([`${method} ${path}`, errors.length > 0]).toEqual([`${method} ${path}`, true]);
      const security = (op.security ?? []).flatMap((s) => Object.keys(s));
      expect([`${method} ${path}`, security.includes('token')]).toEqual([
        `${method} ${path}`,
        token,
      ]);
      if (token) expect(op.responses['401']).toBeDefined();
    }
  });

  it('serves Swagger UI with no external URL, its assets from us', async () => {
    const res = await request(t.url).get('/docs').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    const urls = [...res.text.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(urls.length).toBeGreaterThan(0);
    expect(res.text).not.toMatch(/https?:\/\//);
    // Nothing inline: the CSP (script-src/style-src 'self') would refuse it.
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle="/);
    for (const url of urls) await request(t.url).get(url).expect(200);
  });
});

describe('API documents with DOCS=off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ DOCS: 'off' });
  }, 60_000);
  afterAll(() => t?.close());

  it('are not served', async () => {
    for (const path of ['/docs', '/docs/openapi.json', '/docs/swagger-ui-bundle.js']) {
      await request(t.url).get(path).expect(404);
    }
  });
});
