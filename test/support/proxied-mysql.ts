import mysql from 'mysql2/promise';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
import { MYSQL_URL, mysqlReachable, type TestDatabase } from './test-database.js';

/** A fresh MariaDB/MySQL database that the app reaches through a TCP proxy the test can cut. */
export interface ProxiedMysql {
  /** Give this to startTestApp: its URL goes through the proxy. */
  database: TestDatabase;
  proxy: TcpProxy;
  /** Closes the proxy and drops the database. */
  drop(): Promise<void>;
}

/**
 * Null, with a warning, when no MariaDB answers (outside CI only: CI always has one, so there it
 * throws rather than skip).
 */
export async function createProxiedMysql(label: string): Promise<ProxiedMysql | null> {
  if (!(await mysqlReachable())) {
    if (process.env.CI)
      throw new Error(`MariaDB is required in CI and is not reachable at ${MYSQL_URL}`);
    console.warn(`skipping ${label}: no MariaDB at ${MYSQL_URL}`);
    return null;
  }
  const serverUri = MYSQL_URL.replace(/\/[^/]*$/, '/');
  const name = `chat_outage_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = await mysql.createConnection({ uri: serverUri });
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
  await admin.end();
  const target = new URL(MYSQL_URL);
  const proxy = await startTcpProxy(target.hostname, Number(target.port || 3306));
  const viaProxy = new URL(MYSQL_URL);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  viaProxy.pathname = '/' + name;
  return {
    database: {
      url: viaProxy.toString(),
      kind: 'mysql',
      query: () => Promise.resolve([]),
      drop: () => Promise.resolve(),
    },
    proxy,
    drop: async () => {
      proxy.restore();
      await proxy.close();
      const c = await mysql.createConnection({ uri: serverUri });
      await c.query(`DROP DATABASE IF EXISTS ${name}`);
      await c.end();
    },
  };
}
