import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  Catch,
  type ExceptionFilter,
  Module,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  Ack,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WsException,
} from '@nestjs/websockets';
import type { AddressInfo } from 'node:net';
import { of, throwError } from 'rxjs';
import { Server } from 'socket.io';
import { io, type Socket as ClientSocket } from 'socket.io-client';
import { OriginPolicy } from '../common/origin-policy.js';
import { ChatIoAdapter } from './chat-io.adapter.js';

/** Refuses a payload with `deny` set: a guard in the callback Nest builds, not in the binding. */
@Injectable()
class DenyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const data = context.switchToWs().getData<{ deny?: boolean } | undefined>();
    if (data?.deny) throw new WsException('denied');
    return true;
  }
}

/** A broken filter: its error is the only one that reaches the binding. */
@Catch()
class ThrowingFilter implements ExceptionFilter {
  catch(): void {
    throw new Error('filter broke');
  }
}

/** Every shape of result a handler may give, and the ways it may fail. */
@WebSocketGateway()
@UseGuards(DenyGuard)
class ShapesGateway {
  @SubscribeMessage('value')
  value(@MessageBody() body: { n: number }): { n: number } {
    return { n: body.n + 1 };
  }

  @SubscribeMessage('promise')
  async promise(@MessageBody() body: { n: number }): Promise<{ n: number }> {
    await new Promise((resolve) => setImmediate(resolve));
    return { n: body.n * 2 };
  }

  @SubscribeMessage('observable')
  observable(@MessageBody() body: { n: number }) {
    return of({ event: 'counted', data: body.n }, { event: 'counted', data: body.n + 1 });
  }

  @SubscribeMessage('observableAck')
  observableAck() {
    return of('from an observable');
  }

  @SubscribeMessage('reply')
  reply(@MessageBody() body: unknown) {
    return { event: 'replied', data: body };
  }

  @SubscribeMessage('nothing')
  nothing(): void {}

  @SubscribeMessage('args')
  args(@MessageBody() body: unknown): unknown {
    return body;
  }

  @SubscribeMessage('throws')
  throws(): never {
    throw new Error('broken handler');
  }

  @SubscribeMessage('rejects')
  async rejects(): Promise<never> {
    await Promise.resolve();
    throw new WsException('refused here');
  }

  @SubscribeMessage('observableFails')
  observableFails() {
    return throwError(() => new Error('broken stream'));
  }

  @SubscribeMessage('filterThrows')
  @UseFilters(ThrowingFilter)
  filterThrows(): never {
    throw new Error('broken handler');
  }

  /** socket.io refuses to emit a reserved name: the emit throws, in the binding. */
  @SubscribeMessage('reserved')
  reserved() {
    return { event: 'disconnect', data: 'no' };
  }

  @SubscribeMessage('manual')
  manual(@MessageBody() body: { n: number }, @Ack() ack: (r: unknown) => void): string {
    ack({ manual: body.n });
    return 'not sent: the handler answered itself';
  }
}

@Module({ providers: [ShapesGateway, { provide: Server, useFactory: () => new Server() }] })
class ShapesModule {}

describe('ChatIoAdapter: handlers bound with plain listeners', () => {
  let app: NestExpressApplication;
  let url: string;
  let adapter: ChatIoAdapter;
  let logged: jest.Mock;
  const open: ClientSocket[] = [];

  beforeAll(async () => {
    app = await NestFactory.create<NestExpressApplication>(ShapesModule, { logger: false });
    adapter = new ChatIoAdapter(app, new OriginPolicy([]));
    // Errors that reach the binding are logged (as Nest's own binding does), never thrown.
    logged = jest.fn();
    (adapter as unknown as { logger: { error: jest.Mock } }).logger.error = logged;
    app.useWebSocketAdapter(adapter);
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterEach(() => {
    for (const socket of open.splice(0)) socket.close();
  });
  afterAll(() => app.close());

  async function client(): Promise<ClientSocket> {
    const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
    open.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    return socket;
  }
  const ask = (socket: ClientSocket, event: string, ...args: unknown[]) =>
    socket.timeout(5000).emitWithAck(event, ...args) as Promise<unknown>;
  const nextEvent = (socket: ClientSocket, event: string) =>
    new Promise<unknown>((resolve) => socket.once(event, resolve));
  const serverSocket = () => [...app.get(Server).sockets.sockets.values()].at(-1)!;

  it('acknowledges with a plain value, a Promise and an Observable', async () => {
    const socket = await client();
    await expect(ask(socket, 'value', { n: 1 })).resolves.toEqual({ n: 2 });
    await expect(ask(socket, 'promise', { n: 3 })).resolves.toEqual({ n: 6 });
    await expect(ask(socket, 'observableAck')).resolves.toBe('from an observable');
  });

  it('emits `{event, data}` results, every value of an Observable', async () => {
    const socket = await client();
    const seen: unknown[] = [];
    socket.on('counted', (n: unknown) => seen.push(n));
    const replied = nextEvent(socket, 'replied');
    socket.emit('reply', { hello: 'there' });
    await expect(replied).resolves.toEqual({ hello: 'there' });
    socket.emit('observable', { n: 7 });
    await expect(ask(socket, 'value', { n: 0 })).resolves.toEqual({ n: 1 });
    expect(seen).toEqual([7, 8]);
  });

  it('passes several arguments as an array, and leaves a manual ack to the handler', async () => {
    const socket = await client();
    await expect(ask(socket, 'args', 1, 'two')).resolves.toEqual([1, 'two']);
    await expect(ask(socket, 'manual', { n: 5 })).resolves.toEqual({ manual: 5 });
  });

  it('answers nothing for a nil result', async () => {
    const socket = await client();
    await expect(socket.timeout(300).emitWithAck('nothing', {})).rejects.toThrow();
  });

  it('keeps guards and exception filters: a refusal reaches the client, later events work', async () => {
    const socket = await client();
    const exception = nextEvent(socket, 'exception');
    socket.emit('value', { n: 1, deny: true });
    await expect(exception).resolves.toMatchObject({ status: 'error', message: 'denied' });
    const refused = nextEvent(socket, 'exception');
    socket.emit('rejects', {});
    await expect(refused).resolves.toMatchObject({ message: 'refused here' });
    await expect(ask(socket, 'value', { n: 10 })).resolves.toEqual({ n: 11 });
  });

  it('survives a throwing handler and a failing Observable: filtered, the socket goes on', async () => {
    const socket = await client();
    const internal = nextEvent(socket, 'exception');
    socket.emit('throws', {});
    // Nest's filter reports an unexpected error as an internal one.
    await expect(internal).resolves.toMatchObject({ status: 'error' });
    const failed = nextEvent(socket, 'exception');
    socket.emit('observableFails', {});
    await expect(failed).resolves.toMatchObject({ status: 'error' });
    await expect(ask(socket, 'value', { n: 20 })).resolves.toEqual({ n: 21 });
    await expect(ask(socket, 'promise', { n: 2 })).resolves.toEqual({ n: 4 });
  });

  it('logs what no filter handles (a broken filter, a refused emit), and goes on', async () => {
    const socket = await client();
    logged.mockClear();
    socket.emit('filterThrows', {});
    socket.emit('reserved', {});
    await expect(ask(socket, 'value', { n: 30 })).resolves.toEqual({ n: 31 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(logged).toHaveBeenCalledWith(expect.objectContaining({ message: 'filter broke' }));
    expect(logged).toHaveBeenCalledWith(
      expect.objectContaining({ message: expect.stringContaining('reserved') }),
    );
    await expect(ask(socket, 'promise', { n: 5 })).resolves.toEqual({ n: 10 });
  });

  it('binds one listener per event, and none remains after the disconnect', async () => {
    const socket = await client();
    const onServer = serverSocket();
    const events = ['value', 'promise', 'observable', 'throws', 'manual'];
    for (const event of events) expect(onServer.listenerCount(event)).toBe(1);
    // The same function for every socket: nothing is built per socket but Nest's bound callbacks.
    const other = await client();
    const otherOnServer = serverSocket();
    expect(otherOnServer.id).not.toBe(onServer.id);
    expect(otherOnServer.listeners('value')[0]).toBe(onServer.listeners('value')[0]);
    other.close();
    socket.close();
    await new Promise<void>((resolve) => {
      const check = () => (onServer.connected ? setTimeout(check, 10) : resolve());
      check();
    });
    for (const event of events) expect(onServer.listenerCount(event)).toBe(0);
  });
});
