import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import { isErrorCode } from '../src/protocol/index.js';
import { isValidUsername } from '../src/users/user-rules.js';
import { connect, connectRecording, login, sleep, until } from './support/chat-client.js';
import {
  and,
  authorizationArb,
  bodyArb,
  cidVerdict,
  type EmitMode,
  emitModeArb,
  eventArb,
  field,
  hasStackTrace,
  type HttpBody,
  isObjectPayload,
  onTheWire,
  socketPayloadArb,
  queryArb,
  textVerdict,
  type Verdict,
} from './support/fuzz.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Property-based fuzzing (fast-check) of every socket event and every HTTP endpoint: the
 * process never dies, nothing malformed is ever broadcast, every refusal is a clear error.
 *
 * FUZZ_RUNS scales the number of runs, FUZZ_SEED replays a failure (fast-check prints the seed
 * and the shrunk counterexample).
 */

const SCALE = Number(process.env.FUZZ_RUNS ?? 1);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
/** Each property stops (successfully) after this long, so the file stays well under a minute. */
const TIME_LIMIT_MS = Number(process.env.FUZZ_TIME_LIMIT_MS ?? 12_000);
const fcParams = (numRuns: number): fc.Parameters<unknown> => ({
  numRuns: runs(numRuns),
  seed: SEED,
  endOnFailure: process.env.FUZZ_NO_SHRINK === '1',
  interruptAfterTimeLimit: TIME_LIMIT_MS,
  markInterruptAsFailure: false,
});

const USERS = ['attacker', 'observer', 'bob'] as const;
const password = (name: string) => `${name}-password`;

type Json = Record<string, unknown>;
interface Stored {
  user: string;
  data: string;
  to?: string;
  cid?: string;
}

describe('fuzzing', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp({ SOCKET_RATE_CAPACITY: '100000', SOCKET_RATE_PER_SEC: '100000' });
    for (const name of [...USERS, 'fuzzhttp']) {
      await t.createUser(name, password(name));
      tokens[name] = await login(t.url, name, password(name));
    }
  }, 30_000);
  afterAll(() => t?.close());

  describe('socket events', () => {
    let attacker: Socket;
    let observer: Socket;
    let bob: Socket;
    let seen: Record<'attacker' | 'observer' | 'bob', Record<string, unknown[]>>;
    /** Every message acknowledged as stored, by id: what its broadcasts must carry. */
    const stored = new Map<number, Stored>();
    /** cids of the attacker's that are stored: a retry with one is neither stored nor sent again. */
    const storedCids = new Set<string>();
    /** Problems seen in callbacks and listeners (thrown from there they would be lost). */
    const violations: string[] = [];
    /** How many event 0 the attacker must have received so far. */
    let expectedErrors = 0;
    /** Runs by verdict, and acknowledgements by status, for the log. */
    const stats: Record<string, number> = {};
    /** How far each recorded stream has been checked. */
    const checked = new Map<unknown[], number>();

    beforeAll(async () => {
      const events = ['0', '1', '2', '3', 'typing', 'history'];
      const join = async (name: string) => {
        const joined = await connectRecording(t.url, { token: tokens[name] }, ...events);
        await until(() => joined.seen.history.length > 0, 3000, `${name}'s history`);
        return joined;
      };
      const [a, o, b] = [await join('attacker'), await join('observer'), await join('bob')];
      [attacker, observer, bob] = [a.socket, o.socket, b.socket];
      seen = { attacker: a.seen, observer: o.seen, bob: b.seen };
      attacker.on('disconnect', (reason) => violations.push(`attacker disconnected: ${reason}`));
      observer.on('disconnect', (reason) => violations.push(`observer disconnected: ${reason}`));
    });
    afterAll(() => {
      for (const socket of [attacker, observer, bob]) socket?.close();
    });

    /** What the documented protocol says about this payload on this event. */
    function verdictFor(event: string, data: unknown): Verdict | 'unhandled' {
      if (event !== '2' && event !== '3' && event !== 'typing') return 'unhandled';
      if (!isObjectPayload(data)) return 'no';
      if (event === 'typing') {
        const to = field(data, 'to');
        return to === 'all' || isValidUsername(to) ? 'yes' : 'no';
      }
      const text = and(textVerdict(field(data, 'data')), cidVerdict(field(data, 'cid')));
      if (event === '2') return text;
      const to = field(data, 'to');
      return and(text, (USERS as readonly unknown[]).includes(to) ? 'yes' : 'no');
    }

    /** A refusal must say what was wrong, in a sentence, without internals. */
    function checkReason(reason: unknown, where: string): void {
      if (typeof reason !== 'string' || reason.trim() === '')
        violations.push(`${where}: reason is not a non-empty string: ${show(reason)}`);
      else if (reason === 'internal error' || hasStackTrace(reason) || reason.length > 300)
        violations.push(`${where}: unclear reason: ${show(reason)}`);
    }

    function checkCode(code: unknown, where: string): void {
      if (!isErrorCode(code)) violations.push(`${where}: unknown error code: ${show(code)}`);
    }

    function checkAck(response: unknown, where: string): void {
      if (!isObjectPayload(response)) {
        violations.push(`${where}: ack is not an object: ${show(response)}`);
        return;
      }
      const keys = Object.keys(response).sort().join(',');
      if (response.status === 1) {
        if (
          keys !== 'id,status,ts' ||
          !Number.isSafeInteger(response.id) ||
          typeof response.ts !== 'number'
        )
          violations.push(`${where}: malformed success ack: ${show(response)}`);
      } else if (response.status === 0) {
        if (keys !== 'code,msg,status')
          violations.push(`${where}: malformed refusal: ${show(response)}`);
        checkReason(response.msg, `${where} ack`);
        checkCode(response.code, `${where} ack`);
      } else {
        violations.push(`${where}: ack with unknown status: ${show(response)}`);
      }
    }

    /** Checks what each client received since the last check. */
    function checkStreams(): void {
      for (const receiver of ['attacker', 'observer', 'bob'] as const) {
        for (const [event, list] of Object.entries(seen[receiver])) {
          const from = checked.get(list) ?? 0;
          list
            .slice(from)
            .forEach((payload, i) =>
              checkReceived(receiver, event, payload, `${receiver} got "${event}" #${from + i}`),
            );
          checked.set(list, list.length);
        }
      }
    }

    function checkReceived(receiver: string, event: string, payload: unknown, where: string) {
      if (hasStackTrace(payload)) violations.push(`${where}: stack trace: ${show(payload)}`);
      if (!isObjectPayload(payload)) {
        violations.push(`${where}: not an object: ${show(payload)}`);
        return;
      }
      const keys = Object.keys(payload).sort().join(',');
      switch (event) {
        case '0':
          if (receiver !== 'attacker') violations.push(`${where}: error to a bystander`);
          if (keys !== 'code,data,user' || payload.user !== '')
            violations.push(`${where}: malformed error event: ${show(payload)}`);
          checkReason(payload.data, where);
          checkCode(payload.code, where);
          return;
        case '1':
          if (
            keys !== 'data,user' ||
            payload.user !== '' ||
            !Array.isArray(payload.data) ||
            !payload.data.every((n) => (USERS as readonly unknown[]).includes(n))
          )
            violations.push(`${where}: malformed online list: ${show(payload)}`);
          return;
        case 'typing':
          if (
            keys !== 'to,user' ||
            !['attacker', 'bob'].includes(payload.user as string) ||
            payload.user === receiver ||
            (payload.to !== 'all' && payload.to !== receiver)
          )
            violations.push(`${where}: malformed typing notice: ${show(payload)}`);
          return;
        case 'history':
          return; // once, at connect, before any fuzzing
        case '2':
        case '3':
          checkMessage(receiver, event, payload, where);
          return;
        default:
          violations.push(`${where}: unexpected event`);
      }
    }

    function checkMessage(receiver: string, event: string, m: Json, where: string): void {
      const keys = Object.keys(m).sort().join(',');
      if (event === '2' && m.user === '') {
        // The welcome line, once, at connect.
        if (keys !== 'data,user' || m.data !== `Welcome, ${receiver}!`)
          violations.push(`${where}: malformed server line: ${show(m)}`);
        return;
      }
      const allowed = event === '2' ? 'cid,data,id,ts,user' : 'cid,data,id,to,ts,user';
      const required = event === '2' ? 'data,id,ts,user' : 'data,id,to,ts,user';
      if (keys !== allowed && keys !== required)
        violations.push(`${where}: unexpected fields: ${show(m)}`);
      if (!['attacker', 'bob'].includes(m.user as string))
        violations.push(`${where}: unknown sender: ${show(m)}`);
      if (textVerdict(m.data) === 'no') violations.push(`${where}: invalid text: ${show(m)}`);
      if (!Number.isSafeInteger(m.id) || typeof m.ts !== 'number')
        violations.push(`${where}: id/ts not numbers: ${show(m)}`);
      if (m.cid !== undefined && cidVerdict(m.cid) !== 'yes')
        violations.push(`${where}: invalid cid: ${show(m)}`);
      if (event === '3' && receiver !== m.user && receiver !== m.to)
        violations.push(`${where}: private message to a third party: ${show(m)}`);
      const original = stored.get(m.id as number);
      const expected = original && {
        user: original.user,
        data: original.data,
        ...(event === '3' ? { to: original.to } : {}),
        ...(original.cid === undefined ? {} : { cid: original.cid }),
      };
      const actual = { ...m };
      delete actual.id;
      delete actual.ts;
      if (!expected || canonical(expected) !== canonical(actual))
        violations.push(
          `${where}: broadcast does not match what was acknowledged: got ${show(m)}, sent ${show(expected)}`,
        );
    }

    function emit(
      event: string | number,
      payload: unknown,
      mode: EmitMode,
      ack: (r: unknown) => void,
    ) {
      const s = attacker as unknown as { emit(...args: unknown[]): void };
      switch (mode) {
        case 'ack':
          return s.emit(event, payload, ack);
        case 'noack':
          return s.emit(event, payload);
        case 'extra-args':
          return s.emit(event, payload, 'extra', ack);
        case 'only-ack':
          return s.emit(event, ack);
        case 'no-args':
          return s.emit(event);
      }
    }

    /** What Nest hands the handler: the payload, an array of several, or nothing. */
    function dataAsSeen(payload: unknown, mode: EmitMode): unknown {
      if (mode === 'only-ack' || mode === 'no-args') return undefined;
      if (mode === 'extra-args') return [onTheWire(payload), 'extra'];
      return onTheWire(payload);
    }

    const echoes = () =>
      [...(seen.attacker['2'] as Json[]), ...(seen.attacker['3'] as Json[])].filter(
        (m) => m.user === 'attacker',
      );

    async function fuzzOne(event: string | number, payload: unknown, mode: EmitMode) {
      violations.length = 0;
      if (process.env.FUZZ_TRACE) console.log('run', show(event), mode, show(payload));
      const name = String(event);
      const data = dataAsSeen(payload, mode);
      const verdict = verdictFor(name, data);
      stats[verdict] = (stats[verdict] ?? 0) + 1;
      const hasAck = mode === 'ack' || mode === 'extra-args' || mode === 'only-ack';
      const acks: unknown[] = [];
      const storedNow: number[] = [];
      const remember = (id: number, message: Stored) => {
        stored.set(id, message);
        storedNow.push(id);
      };
      emit(event, payload, mode, (response) => {
        acks.push(response);
        if (verdict === 'unhandled')
          violations.push(`ack for an unhandled event: ${show(response)}`);
        checkAck(response, `ack of "${name}"`);
      });
      // Barrier: a refused event on the same socket, answered once the ones before it were read.
      const barrier = (await attacker.timeout(5000).emitWithAck('2', null)) as Json;
      expect(barrier).toEqual({ status: 0, code: 'validation_failed', msg: expect.any(String) });
      expectedErrors += 1;

      if (verdict !== 'unhandled') {
        const replies = hasAck && !(name === 'typing' && verdict === 'yes');
        if (replies) {
          await until(() => acks.length > 0, 5000, `ack of "${name}" ${show(payload)}`);
          const ack = acks[0] as Json;
          stats[`ack ${String(ack.status)}`] = (stats[`ack ${String(ack.status)}`] ?? 0) + 1;
          if (ack.status === 1) {
            if (verdict === 'no') violations.push(`accepted an invalid payload: ${show(ack)}`);
            const body = data as Json;
            const id = ack.id as number;
            if (!stored.has(id)) {
              const cid = field(body, 'cid') as string | undefined;
              remember(id, {
                user: 'attacker',
                data: field(body, 'data') as string,
                ...(name === '3' ? { to: field(body, 'to') as string } : {}),
                ...(cid === undefined || cid === null ? {} : { cid }),
              });
              if (typeof cid === 'string') storedCids.add(cid);
              await until(() => echoes().some((m) => m.id === id), 3000, `echo of message ${id}`);
            }
          } else {
            if (verdict === 'yes') violations.push(`refused a valid payload: ${show(ack)}`);
            expectedErrors += 1;
            await until(
              () => (seen.attacker['0'] as Json[]).some((e) => e.data === ack.msg),
              3000,
              `event 0 "${String(ack.msg)}"`,
            );
          }
        } else if (verdict === 'no') {
          expectedErrors += 1;
        } else if (name !== 'typing') {
          // Valid, no acknowledgement: stored and echoed to the sender, unless a retried cid.
          const body = data as Json;
          const cid = field(body, 'cid');
          const text = field(body, 'data');
          if (verdict === 'either') {
            await sleep(100);
            const fresh = echoes().filter((m) => !stored.has(m.id as number));
            // Not stored: refused (event 0), or accepted as a retry of a stored cid (silent).
            if (fresh.length === 0 && !(typeof cid === 'string' && storedCids.has(cid)))
              expectedErrors += 1;
            else if (fresh.length === 0 && seen.attacker['0'].length > expectedErrors)
              expectedErrors += 1;
            // Stored: then what is delivered must be what was sent (checked below).
            if (fresh.length && typeof cid === 'string') storedCids.add(cid);
            for (const m of fresh)
              remember(m.id as number, {
                user: 'attacker',
                data: text as string,
                ...(name === '3' ? { to: field(body, 'to') as string } : {}),
                ...(typeof cid === 'string' ? { cid } : {}),
              });
          } else if (typeof cid !== 'string' || !storedCids.has(cid)) {
            await until(
              () => echoes().some((m) => m.data === text && !stored.has(m.id as number)),
              3000,
              'echo of an unacknowledged message',
            ).catch((error: Error) => {
              throw new Error(
                `${error.message}; last event 0: ${show(seen.attacker['0'].slice(-2))}; ` +
                  `last echoes: ${show(echoes().slice(-2))}`,
              );
            });
            const echo = echoes().find((m) => m.data === text && !stored.has(m.id as number))!;
            remember(echo.id as number, {
              user: 'attacker',
              data: text as string,
              ...(name === '3' ? { to: field(body, 'to') as string } : {}),
              ...(typeof cid === 'string' ? { cid } : {}),
            });
            if (typeof cid === 'string') storedCids.add(cid);
          }
        }
      }

      await until(
        () => seen.attacker['0'].length >= expectedErrors,
        3000,
        `${expectedErrors} error events (got ${seen.attacker['0'].length})`,
      ).catch(() => undefined);
      const errors = seen.attacker['0'].length;
      if (errors !== expectedErrors) {
        const reason =
          errors < expectedErrors ? 'a refusal without event 0' : 'an unexplained event 0';
        violations.push(`${reason}: ${show(seen.attacker['0'].slice(-3))}`);
        expectedErrors = errors; // do not blame the next runs
      }
      // Everyone it is for has it before the next run (so that a fault is blamed on its run).
      for (const id of storedNow) {
        const { to } = stored.get(id)!;
        const recipients: ('observer' | 'bob')[] =
          to === undefined ? ['observer', 'bob'] : to === 'observer' || to === 'bob' ? [to] : [];
        for (const r of recipients) {
          const list = [...(seen[r]['2'] as Json[]), ...(seen[r]['3'] as Json[])];
          await until(
            () =>
              [...(seen[r]['2'] as Json[]), ...(seen[r]['3'] as Json[])].some((m) => m.id === id),
            3000,
            `${r} receiving message ${id}`,
          ).catch((error: Error) => violations.push(`${error.message} (${list.length} seen)`));
        }
      }
      checkStreams();
      if (!attacker.connected) violations.push('the attacker was disconnected');
      if (violations.length) throw new Error(violations.join('\n'));
    }

    it('answers random payloads on every event with a success or a clear refusal, and broadcasts nothing malformed', async () => {
      const started = Date.now();
      let count = 0;
      await fc.assert(
        fc.asyncProperty(eventArb, socketPayloadArb, emitModeArb, async (event, payload, mode) => {
          count++;
          await fuzzOne(event, payload, mode);
        }),
        fcParams(2000),
      );
      console.log(
        `socket fuzz: ${count} runs in ${Date.now() - started} ms, ${stored.size} messages stored, ` +
          JSON.stringify(stats),
      );
      // ...and the server carries on: bob's message reaches the observer, HTTP answers.
      const text = `still alive ${Date.now()}`;
      const got = until(() => (seen.observer['2'] as Json[]).some((m) => m.data === text));
      const ack = (await bob.timeout(3000).emitWithAck('2', { data: text })) as Json;
      expect(ack).toEqual({ status: 1, id: expect.any(Number), ts: expect.any(Number) });
      stored.set(ack.id as number, { user: 'bob', data: text });
      await got;
      await request(t.url).get('/settings').expect(200);
      await sleep(200);
      violations.length = 0;
      checkStreams();
      expect(violations).toEqual([]);
      expect(seen.observer['0']).toEqual([]);
      expect(seen.bob['0']).toEqual([]);
      expect(seen.attacker['0'].length).toBe(expectedErrors);
      // Nothing leaked into Object.prototype (this process is the server's).
      expect(Object.keys(Object.prototype)).toEqual([]);
      expect(({} as Json).polluted).toBeUndefined();
    }, 60_000);

    it('answers random handshakes with a connection or connect_error "unauthorized"/"token expired"', async () => {
      const authValue = fc.oneof(
        fc.constant(tokens.observer),
        fc.constant(`Bearer ${tokens.observer}`),
        fc.string({ maxLength: 40 }),
        fc.jsonValue({ maxDepth: 2 }),
      );
      const lastId = fc.oneof(
        fc.constant(undefined),
        fc.integer(),
        fc.constantFrom(0, -1, 1e21, 2 ** 53, 1.5, '12', '99999999999999999999', 'abc', ''),
        fc.jsonValue({ maxDepth: 1 }),
      );
      await fc.assert(
        fc.asyncProperty(authValue, lastId, async (token, last) => {
          const received: Record<string, unknown[]> = { history: [], '0': [] };
          const result = await connect(
            t.url,
            { token: token as string, lastId: last as number },
            (socket) => {
              for (const event of ['history', '0'])
                socket.on(event, (payload: unknown) => received[event].push(payload));
            },
          ).then(
            async (socket) => {
              // The connection works: a refused event is answered.
              const barrier = (await socket.timeout(3000).emitWithAck('2', null)) as Json;
              socket.close();
              return { ok: true as const, barrier };
            },
            (error: Error) => ({ ok: false as const, message: error.message }),
          );
          const valid = token === tokens.observer || token === `Bearer ${tokens.observer}`;
          if (valid) {
            expect(result).toEqual({
              ok: true,
              barrier: { status: 0, code: 'validation_failed', msg: expect.any(String) },
            });
            // Every catch-up ends with a done page, even with nothing to send; the database is
            // small, so it is one well-formed page.
            for (const h of received.history)
              expect(h).toEqual({
                user: '',
                data: expect.any(Array),
                until: expect.any(Number),
                done: expect.any(Boolean),
                more: expect.any(Boolean),
              });
            if (typeof last !== 'number' || !Number.isSafeInteger(last) || last < 0)
              expect(received.history.length).toBeLessThanOrEqual(1);
            expect(received['0']).toHaveLength(1); // the barrier's
          } else {
            expect(result).toEqual({ ok: false, message: 'unauthorized' });
          }
        }),
        fcParams(60),
      );
    }, 60_000);
  });

  it('closes only the sender of a message over the socket size limit; nobody else sees anything', async () => {
    const [sender, watcher] = await Promise.all(
      ['attacker', 'observer'].map((name) => connect(t.url, { token: tokens[name] })),
    );
    try {
      const watched = { '0': [] as unknown[], '2': [] as unknown[], '3': [] as unknown[] };
      for (const event of ['0', '2', '3'] as const)
        watcher.on(event, (payload: unknown) => watched[event].push(payload));
      const errors: unknown[] = [];
      sender.on('0', (payload: unknown) => errors.push(payload));
      const closed = new Promise<string>((resolve) => sender.once('disconnect', resolve));
      for (const [event, payload] of [
        ['2', { data: 'x'.repeat(100_000) }],
        ['3', { data: 'y'.repeat(500_000), to: 'observer' }],
        ['typing', { to: 'z'.repeat(70_000) }],
      ] as const)
        sender.emit(event, payload);
      // Either refused with event 0 (and the socket carries on), or the socket is closed.
      const outcome = await Promise.race([
        closed.then((reason) => `closed: ${reason}`),
        until(() => errors.length === 3, 5000, 'three refusals').then(() => 'refused'),
      ]);
      if (outcome === 'refused')
        for (const e of errors)
          expect(e).toEqual({ user: '', data: expect.any(String), code: expect.any(String) });
      await sleep(100);
      expect(watched).toEqual({ '0': [], '2': [], '3': [] });
      expect(watcher.connected).toBe(true);
      const ack = (await watcher
        .timeout(3000)
        .emitWithAck('2', { data: 'after oversize' })) as Json;
      expect(ack).toEqual({ status: 1, id: expect.any(Number), ts: expect.any(Number) });
    } finally {
      sender.close();
      watcher.close();
    }
  }, 20_000);

  describe('HTTP endpoints', () => {
    let validToken: string;
    const freshToken = () => validToken;

    beforeAll(() => {
      validToken = tokens.fuzzhttp;
    });

    function send(method: 'get' | 'post', path: string, body: HttpBody, authorization?: string) {
      let req = request(t.url)[method](path).timeout(10_000);
      if (authorization !== undefined) req = req.set('Authorization', authorization);
      if (body.contentType !== undefined) req = req.set('Content-Type', body.contentType);
      if (body.contentEncoding !== undefined)
        req = req.set('Content-Encoding', body.contentEncoding);
      if (body.body !== undefined) req = req.send(body.body);
      return req;
    }

    /** 2xx with status 1, or 4xx with exactly {status: 0, code, msg}; JSON, never a page or a stack. */
    /** Answers by endpoint and status, for the log. */
    const statuses: Record<string, Record<number, number>> = {};
    afterAll(() => console.log(`HTTP fuzz statuses: ${JSON.stringify(statuses)}`));

    function checkResponse(res: request.Response, what: string): void {
      const endpoint = what.split(/[ ?]/).slice(0, 2).join(' ');
      statuses[endpoint] ??= {};
      statuses[endpoint][res.status] = (statuses[endpoint][res.status] ?? 0) + 1;
      const where = `${what} → ${res.status} ${res.headers['content-type'] ?? ''} ${res.text.slice(0, 300)}`;
      expect({ where, serverError: res.status >= 500 }).toEqual({ where, serverError: false });
      expect({ where, json: /^application\/json/.test(res.headers['content-type'] ?? '') }).toEqual(
        {
          where,
          json: true,
        },
      );
      expect({
        where,
        stack: hasStackTrace(res.text),
        html: /<html|<!doctype/i.test(res.text),
      }).toEqual({
        where,
        stack: false,
        html: false,
      });
      if (res.status >= 200 && res.status < 300) {
        expect({ where, status: (res.body as Json).status }).toEqual({ where, status: 1 });
      } else {
        expect({ where, code: res.status >= 400 && res.status < 500 }).toEqual({
          where,
          code: true,
        });
        const body = res.body as Json;
        expect({
          where,
          keys: Object.keys(body).sort(),
          status: body.status,
          known: isErrorCode(body.code),
        }).toEqual({
          where,
          keys: ['code', 'msg', 'status'],
          status: 0,
          known: true,
        });
        expect({ where, msg: typeof body.msg === 'string' && body.msg.trim().length > 0 }).toEqual({
          where,
          msg: true,
        });
      }
    }

    const describeBody = (b: HttpBody) =>
      `${b.kind} ${b.contentType ?? '-'} ${b.contentEncoding ?? ''} ${
        typeof b.body === 'string'
          ? JSON.stringify(b.body.slice(0, 200))
          : (b.body?.toString('hex').slice(0, 200) ?? '')
      }`;

    const endpoints: [string, 'get' | 'post', string, number][] = [
      ['POST /login', 'post', '/login', 100],
      ['POST /register', 'post', '/register', 60],
      ['POST /logout', 'post', '/logout', 100],
      ['GET /userinfo', 'get', '/userinfo', 100],
      ['GET /settings', 'get', '/settings', 60],
    ];

    it.each(endpoints)(
      '%s answers random bodies, types and tokens clearly',
      async (_n, method, path, n) => {
        const secret = t.config.jwtSecret;
        let count = 0;
        await fc.assert(
          fc.asyncProperty(bodyArb, authorizationArb(freshToken, secret), async (body, auth) => {
            count++;
            const res = await send(method, path, body, auth);
            checkResponse(
              res,
              `${method.toUpperCase()} ${path} auth=${show(auth)} body=${describeBody(body)}`,
            );
            // A logout revoked the token we used: get another for the next runs.
            if (path === '/logout' && res.status === 200 && auth?.includes(validToken))
              validToken = await login(t.url, 'fuzzhttp', password('fuzzhttp'));
          }),
          fcParams(n),
        );
        expect(count).toBeGreaterThan(0);
        await request(t.url).get('/settings').expect(200);
      },
      60_000,
    );

    it('GET /messages answers random query strings and tokens clearly', async () => {
      const secret = t.config.jwtSecret;
      await fc.assert(
        fc.asyncProperty(
          queryArb,
          fc.oneof(
            { weight: 3, arbitrary: fc.constant(validToken) },
            { weight: 1, arbitrary: authorizationArb(freshToken, secret) },
          ),
          async (query, auth) => {
            const res = await send('get', `/messages?${query}`, { kind: 'none' }, auth);
            checkResponse(res, `GET /messages?${query} auth=${show(auth)}`);
            if (res.status === 200) expect(Array.isArray((res.body as Json).data)).toBe(true);
          },
        ),
        fcParams(150),
      );
      await request(t.url).get('/settings').expect(200);
    }, 60_000);
  });
});

/** JSON with sorted keys, to compare objects whatever their key order. */
function canonical(value: object): string {
  return JSON.stringify(
    Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  );
}

function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  // "aaaa…" (2,000 of them) prints as a×2000.
  text = text.replace(/(.)\1{15,}/gsu, (run: string, c: string) => `${c}×${[...run].length}`);
  return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
}
