import type { Socket } from 'socket.io-client';
import { connect, login } from './chat-client.js';
import type { TestApp } from './test-app.js';

/**
 * The users of one e2e spec, each with a token, and every socket the spec opens, closed after
 * each test (`afterEach(() => sockets.closeAll())`). A user's password is `${name}-password`.
 */
export class SpecSockets {
  readonly tokens: Record<string, string> = {};
  private readonly open: Socket[] = [];

  /** `url` is read when a socket connects: the app starts in beforeAll. */
  constructor(private readonly url: () => string) {}

  /** Creates each user in the app's database and logs them in. */
  async addUsers(t: TestApp, names: readonly string[]): Promise<void> {
    for (const name of names) {
      await t.createUser(name, `${name}-password`);
      this.tokens[name] = await login(t.url, name, `${name}-password`);
    }
  }

  /** A socket of this user (optionally from a last seen id), closed after the test. */
  async join(name: string, lastId?: number): Promise<Socket> {
    return this.track(await connect(this.url(), { token: this.tokens[name], lastId }));
  }

  /** Closes this socket after the test, with the rest. */
  track<S extends Socket | Socket[]>(sockets: S): S {
    this.open.push(...(Array.isArray(sockets) ? sockets : [sockets]));
    return sockets;
  }

  closeAll(): void {
    for (const socket of this.open.splice(0)) socket.close();
  }
}
