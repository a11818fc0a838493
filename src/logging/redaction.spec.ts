import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { REDACT_PATHS, REDACTED, sanitizeUrl } from './redaction.js';

describe('sanitizeUrl', () => {
  it('replaces the token (and a password) in any query string, and nothing else', () => {
    expect(sanitizeUrl('/userinfo?token=a.b.c')).toBe(`/userinfo?token=${REDACTED}`);
    expect(sanitizeUrl('/messages?with=bob&token=Bearer%20a.b.c&x=1')).toBe(
      `/messages?with=bob&token=${REDACTED}&x=1`,
    );
    expect(sanitizeUrl('/socket.io/?EIO=4&TOKEN=a.b.c&transport=websocket')).toBe(
      `/socket.io/?EIO=4&TOKEN=${REDACTED}&transport=websocket`,
    );
    expect(sanitizeUrl('/x?password=secret#frag')).toBe(`/x?password=${REDACTED}#frag`);
    expect(sanitizeUrl('/messages?with=tokenish')).toBe('/messages?with=tokenish');
    expect(sanitizeUrl(undefined)).toBeUndefined();
  });
});

describe('REDACT_PATHS', () => {
  it('blanks headers, the handshake auth, tokens and passwords wherever a line carries them', () => {
    let written = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString();
        done();
      },
    });
    const logger = pino({ redact: { paths: REDACT_PATHS, censor: REDACTED } }, sink);
    logger.info({
      req: { headers: { authorization: 'Bearer secret-1', cookie: 'sid=secret-2' } },
      handshake: { auth: { token: 'secret-3' }, headers: { authorization: 'secret-4' } },
      body: { password: 'secret-5', newPassword: 'secret-6' },
      password: 'secret-7',
      token: 'secret-8',
    });
    expect(written).not.toMatch(/secret-/);
    expect(written).toContain(REDACTED);
  });
});
