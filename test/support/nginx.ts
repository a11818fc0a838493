import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from './chat-client.js';
import { freePort } from './server-process.js';

const ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');

/** Debian's nginx (`apt-get install nginx`); NGINX names another binary. */
export const NGINX_PATH = process.env.NGINX ?? '/usr/sbin/nginx';

export const nginxAvailable = existsSync(NGINX_PATH);

/** One line of the access log (deploy/nginx.conf's `chat_upstream` format). */
export interface AccessLine {
  client: string;
  request: string;
  status: number;
  /** The instance that served it, host:port. */
  upstream: string;
}

export interface TestNginx {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** The access log so far. */
  accessLog(): AccessLine[];
  output(): string;
  stop(): Promise<void>;
}

/**
 * deploy/nginx.conf, the shipped file, as a test runs it: the upstream's `server` lines point at
 * `upstreams` (host:port), it listens on 127.0.0.1:`port`, logs into `dir`. Nothing else is
 * changed; it is wrapped in the `events` and `http` blocks that /etc/nginx/nginx.conf would give.
 */
export function testNginxConf(upstreams: string[], port: number, dir: string): string {
  const shipped = readFileSync(join(ROOT, 'deploy/nginx.conf'), 'utf8');
  const servers = upstreams.map((address) => `    server ${address} max_fails=1 fail_timeout=10s;`);
  let replacedServers = false;
  const site = shipped
    .split('\n')
    .flatMap((line) => {
      if (/^\s+server \S+:\d+ /.test(line)) {
        if (replacedServers) return [];
        replacedServers = true;
        return servers;
      }
      return [line];
    })
    .join('\n')
    .replace(/^(\s+)listen 80;$/m, `$1listen 127.0.0.1:${port};`)
    .replace(
      /^(\s+)access_log \S+ chat_upstream;$/m,
      `$1access_log ${dir}/access.log chat_upstream;`,
    );
  for (const [what, done] of [
    ['upstream servers', replacedServers],
    ['listen', site.includes(`listen 127.0.0.1:${port};`)],
    ['access_log', site.includes(`${dir}/access.log`)],
  ] as const) {
    if (!done) throw new Error(`deploy/nginx.conf: the test found no ${what} line to substitute`);
  }
  // nginx's temporary files and logs in the test's own directory (not /var/lib/nginx); as root,
  // workers run as root too, since the directory is the test's (0700).
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `    ${kind}_temp_path ${dir}/${kind};`)
    .join('\n');
  return [
    process.getuid?.() === 0 ? 'user root;' : '',
    `error_log ${dir}/error.log warn;`,
    'worker_processes 1;',
    'events { worker_connections 1024; }',
    'http {',
    temp,
    site,
    '}',
    '',
  ].join('\n');
}

/** Our own nginx (not a service), in front of `upstreams`, on a free port. */
export async function startNginx(upstreams: string[]): Promise<TestNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'chat-nginx-'));
  mkdirSync(join(dir, 'logs')); // nginx opens <prefix>/logs/error.log before it reads the conf
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, testNginxConf(upstreams, port, dir));
  const child: ChildProcess = spawn(
    NGINX_PATH,
    ['-p', dir, '-c', conf, '-g', `daemon off; pid ${dir}/nginx.pid;`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 10_000;
  while (!(await listening(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not start:\n${output}\n${readLog(join(dir, 'error.log'))}`);
    }
    await sleep(50);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    output: () => output + readLog(join(dir, 'error.log')),
    accessLog: () => parseAccessLog(readLog(join(dir, 'access.log'))),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGQUIT'); // graceful: the access log is complete
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function readLog(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

function parseAccessLog(text: string): AccessLine[] {
  const line = /^(\S+) \[[^\]]*\] "([^"]*)" (\d+) \d+ upstream=(\S+) /;
  return text
    .split('\n')
    .map((l) => line.exec(l))
    .filter((m) => m !== null)
    .map((m) => ({ client: m[1], request: m[2], status: Number(m[3]), upstream: m[4] }));
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** GET `path` from the given local address (127.0.0.x): the status. */
export function getFrom(url: string, path: string, localAddress: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, localAddress }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}
