import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startTestApp, type TestApp } from './support/test-app.js';
import { b64url, forgeToken, unsignedToken } from './support/tokens.js';

describe('HTTP auth', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    await t.createUser('alice', 'alice-password');
  });
  afterAll(() => t.close());

  it('logs in with the token in the Authorization header and the body', async () => {
    const res = await request(t.url)
      .post('/login')
      .send({ username: 'alice', password: 'alice-password' })
      .expect(200);
    expect(res.body).toEqual({
      status: 1,
      data: { id: expect.any(Number), username: 'alice' },
      token: res.headers.authorization,
    });
    expect(res.headers['access-control-expose-headers']).toMatch(/Authorization/);
    const [header] = res.headers.authorization.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({ alg: 'HS256' });
  });

  it('accepts a form-encoded login body, as HTML forms send', async () => {
    await request(t.url)
      .post('/login')
      .type('form')
      .send({ username: 'alice', password: 'alice-password' })
      .expect(200);
  });

  it('ignores extra fields, as the original page sends its token in the body', async () => {
    await request(t.url)
      .post('/login')
      .send({ username: 'alice', password: 'alice-password', Authorization: 'null' })
      .expect(200);
  });

  it('answers a wrong password and an unknown user alike', async () => {
    const wrong = await request(t.url)
      .post('/login')
      .send({ username: 'alice', password: 'nope-nope' });
    const unknown = await request(t.url)
      .post('/login')
      .send({ username: 'mallory', password: 'nope-nope' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body).toEqual({ status: 0, code: 'bad_credentials', msg: expect.any(String) });
    expect(wrong.headers.authorization).toBeUndefined();
  });

  it('compares names exactly: trailing spaces are another name, also on MariaDB', async () => {
    await request(t.url)
      .post('/login')
      .send({ username: 'alice ', password: 'alice-password' })
      .expect(401);
  });

  it.each([
    ['an object password', { username: 'alice', password: { password: 1 } }],
    ['an array password', { username: 'alice', password: ['alice-password'] }],
    ['a number username', { username: 1, password: 'alice-password' }],
    ['an object username', { username: { $ne: '' }, password: 'x' }],
    ['no password', { username: 'alice' }],
    ['an empty body', {}],
    ['a null password', { username: 'alice', password: null }],
  ])('refuses %s with 400 and no token', async (_name, body) => {
    const res = await request(t.url).post('/login').send(body).expect(400);
    expect(res.body).toEqual({ status: 0, code: 'validation_failed', msg: expect.any(String) });
    expect(res.headers.authorization).toBeUndefined();
  });

  it('answers a login with no body at all with 400', async () => {
    const res = await request(t.url).post('/login').expect(400);
    expect(res.body).toEqual({ status: 0, code: 'validation_failed', msg: expect.any(String) });
  });

  it('answers malformed JSON with 400 and no stack', async () => {
    const res = await request(t.url)
      .post('/login')
      .set('Content-Type', 'application/json')
      .send('{"username": ')
      .expect(400);
    expect(res.body).toEqual({ status: 0, code: 'bad_request', msg: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.js/);
  });

  describe('GET /userinfo', () => {
    let token: string;
    beforeAll(async () => {
      const res = await request(t.url)
        .post('/login')
        .send({ username: 'alice', password: 'alice-password' });
      token = res.headers.authorization;
    });

    it('answers the name for a valid token, bare or Bearer', async () => {
      const bare = await request(t.url).get('/userinfo').set('Authorization', token).expect(200);
      expect(bare.body).toEqual({ status: 1, username: 'alice' });
      await request(t.url).get('/userinfo').set('Authorization', `Bearer ${token}`).expect(200);
    });

    it.each([
      ['no token', undefined],
      ['the string "null" (the original page without a token)', 'null'],
      ['garbage', 'not.a.token'],
    ])('refuses %s with 401', async (_name, header) => {
      const req = request(t.url).get('/userinfo');
      const res = await (header ? req.set('Authorization', header) : req).expect(401);
      expect(res.body).toEqual({ status: 0, code: 'unauthorized', msg: 'unauthorized' });
    });

    it('refuses a tampered token', async () => {
      const [h, , s] = token.split('.');
      const payload = b64url({ sub: '1', data: 'admin', username: 'admin', exp: 4102444800 });
      await request(t.url)
        .get('/userinfo')
        .set('Authorization', `${h}.${payload}.${s}`)
        .expect(401);
    });

    it('refuses a token signed with another secret', async () => {
      await request(t.url).get('/userinfo').set('Authorization', forgeToken('lam')).expect(401);
    });

    it('refuses alg "none"', async () => {
      await request(t.url).get('/userinfo').set('Authorization', unsignedToken()).expect(401);
    });

    it.each([
      ['another issuer', { iss: 'someone-else' }],
      ['no issuer', { iss: undefined }],
      ['another audience', { aud: 'another-app' }],
      ['no audience', { aud: undefined }],
    ])('refuses a token with %s', async (_name, claims) => {
      const token = forgeToken(t.config.jwtSecret, claims);
      await request(t.url).get('/userinfo').set('Authorization', token).expect(401);
    });

    it('refuses an expired token with "token expired", allowing a few seconds of clock skew', async () => {
      const now = Math.floor(Date.now() / 1000);
      const expired = forgeToken(t.config.jwtSecret, { iat: now - 100, exp: now - 10 });
      const res = await request(t.url).get('/userinfo').set('Authorization', expired).expect(401);
      expect(res.body).toEqual({ status: 0, code: 'token_expired', msg: 'token expired' });
      // Two seconds late is within the clock tolerance: still accepted.
      const skewed = forgeToken(t.config.jwtSecret, { iat: now - 100, exp: now - 2 });
      await request(t.url).get('/userinfo').set('Authorization', skewed).expect(200);
    });
  });

  describe('POST /register', () => {
    it('creates a user and logs them in, Chinese names included', async () => {
      const res = await request(t.url)
        .post('/register')
        .send({ username: '张伟', password: 'zhang-password' })
        .expect(201);
      expect(res.body).toMatchObject({ status: 1, data: { username: '张伟' } });
      const info = await request(t.url)
        .get('/userinfo')
        .set('Authorization', res.headers.authorization);
      expect(info.body).toEqual({ status: 1, username: '张伟' });
      await request(t.url)
        .post('/login')
        .send({ username: '张伟', password: 'zhang-password' })
        .expect(200);
    });

    it('refuses a taken name with 409', async () => {
      const res = await request(t.url)
        .post('/register')
        .send({ username: 'alice', password: 'another-password' })
        .expect(409);
      expect(res.body).toEqual({ status: 0, code: 'username_taken', msg: 'username is taken' });
    });

    it.each([
      ['a name with spaces', 'bob smith', 'long-enough'],
      ['a name with markup', '<b>bob</b>', 'long-enough'],
      ['an empty name', '', 'long-enough'],
      ['a 33-character name', 'a'.repeat(33), 'long-enough'],
      ['a short password', 'bobby', 'short'],
      ['a 129-character password', 'bobby', 'p'.repeat(129)],
    ])('refuses %s with 400', async (_name, username, password) => {
      const res = await request(t.url).post('/register').send({ username, password }).expect(400);
      expect(res.body.status).toBe(0);
    });

    it.each([
      ["the group conversation's name", 'all', 'username is reserved'],
      ['it in capitals', 'ALL', 'username is reserved'],
      ['it in fullwidth letters', '\uFF41\uFF4C\uFF4C', 'username is reserved'],
      ['a Hangul filler', '\u3164', 'username must begin with a visible character'],
      ['a halfwidth Hangul filler', '\uFFA0', 'username must begin with a visible character'],
      ['a Hangul choseong filler', '\u115F', 'username must begin with a visible character'],
      ['only a combining mark', '\u0301', 'username must begin with a visible character'],
      [
        'a name with a grapheme joiner',
        'alice\u034F',
        'username must begin with a visible character',
      ],
      [
        'a name with a variation selector',
        'alice\uFE0F',
        'username must begin with a visible character',
      ],
      [
        'a name with a supplementary one',
        'alice\u{E0100}',
        'username must begin with a visible character',
      ],
    ])('refuses %s with 400', async (_case, username, msg) => {
      const res = await request(t.url)
        .post('/register')
        .send({ username, password: 'long-enough' })
        .expect(400);
      const code = msg === 'username is reserved' ? 'username_reserved' : 'username_invisible';
      expect(res.body).toEqual({ status: 0, code, msg: expect.stringContaining(msg) });
    });

    it.each([
      ['in capitals', 'ALICE'],
      ['with a capital', 'Alice'],
      ['in fullwidth letters', '\uFF41\uFF4C\uFF49\uFF43\uFF45'],
      ['with a dotless i', 'al\u0131ce'],
    ])('refuses a taken name %s with 409', async (_case, username) => {
      const res = await request(t.url)
        .post('/register')
        .send({ username, password: 'long-enough' })
        .expect(409);
      expect(res.body).toEqual({
        status: 0,
        code: 'username_lookalike',
        msg: 'username is too like a taken one',
      });
    });

    it('accepts names with digits, "_", "-" and "." up to 32 characters', async () => {
      await request(t.url)
        .post('/register')
        .send({ username: 'b.o_b-2' + 'x'.repeat(25), password: 'long-enough' })
        .expect(201);
    });
  });

  it('redirects / to the login page and serves the pages and their scripts', async () => {
    await request(t.url).get('/').expect(302).expect('Location', '/login.html');
    await request(t.url).get('/login.html').expect(200).expect('Content-Type', /html/);
    await request(t.url).get('/chat.html').expect(200).expect('Content-Type', /html/);
    await request(t.url).get('/vendor/axios/axios.min.js').expect(200);
    await request(t.url).get('/vendor/socket.io/socket.io.min.js').expect(200);
  });

  it('answers unknown routes with the error body', async () => {
    const res = await request(t.url).get('/no-such-thing').expect(404);
    expect(res.body).toEqual({ status: 0, code: 'not_found', msg: expect.any(String) });
  });
});

describe('registration switched off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ REGISTRATION: 'off' });
  });
  afterAll(() => t.close());

  it('refuses to register with 403 and says so in /settings', async () => {
    await request(t.url)
      .post('/register')
      .send({ username: 'bob', password: 'long-enough' })
      .expect(403);
    const settings = await request(t.url).get('/settings').expect(200);
    expect(settings.body).toEqual({ status: 1, data: { registration: false } });
  });
});
