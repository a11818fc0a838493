import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';

/** Which server the e2e suite runs against: MySQL/MariaDB when DATABASE_URL says so. */
export const MYSQL_BASE_URL = /^(mysql|mariadb):\/\//.test(process.env.DATABASE_URL ?? '')
  ? process.env.DATABASE_URL!.replace(/^mariadb:/, 'mysql:')
  : undefined;
export const DATABASE_KIND: 'mysql' | 'sqlite' = MYSQL_BASE_URL ? 'mysql' : 'sqlite';

/** MariaDB/MySQL for the outage tests (whatever the suite runs on): DATABASE_URL when it is one, else the local server. */
export const MYSQL_URL = MYSQL_BASE_URL ?? 'mysql://root@127.0.0.1:3306/';

export async function mysqlReachable(): Promise<boolean> {
  try {
    const c = await mysql.createConnection({
      uri: MYSQL_URL.replace(/\/[^/]*$/, '/'),
      connectTimeout: 2000,
    });
    await c.end();
    return true;
  } catch {
    return false;
  }
}

/** A fresh, empty database of its own for one test file: a SQLite file or a MySQL schema. */
export interface TestDatabase {
  url: string;
  kind: 'mysql' | 'sqlite';
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  return MYSQL_BASE_URL ? createMysqlDatabase(MYSQL_BASE_URL) : createSqliteDatabase();
}

function createSqliteDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'chat-db-'));
  const file = join(dir, 'chat.sqlite');
  return {
    url: `sqlite:${file}`,
    kind: 'sqlite',
    query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
      const db = new Database(file);
      try {
        const statement = db.prepare(sql);
        return Promise.resolve(
          statement.reader ? (statement.all(...params) as T[]) : (statement.run(...params), []),
        );
      } finally {
        db.close();
      }
    },
    drop(): Promise<void> {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

/** A fresh MariaDB/MySQL database on `baseUrl`'s server (MYSQL_URL: whatever the suite runs on). */
export async function createMysqlDatabase(baseUrl: string = MYSQL_URL): Promise<TestDatabase> {
  const url = new URL(baseUrl);
  const name = `chat_test_${randomBytes(6).toString('hex')}`;
  url.pathname = '/' + name;
  const admin = await mysql.createConnection({ uri: baseUrl.replace(/\/[^/]*$/, '/') });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  await admin.end();
  return {
    url: url.toString(),
    kind: 'mysql',
    async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
      const connection = await mysql.createConnection({ uri: url.toString() });
      try {
        const [rows] = await connection.query(sql, params);
        return Array.isArray(rows) ? (rows as T[]) : [];
      } finally {
        await connection.end();
      }
    },
    async drop(): Promise<void> {
      const connection = await mysql.createConnection({ uri: baseUrl.replace(/\/[^/]*$/, '/') });
      await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await connection.end();
    },
  };
}
