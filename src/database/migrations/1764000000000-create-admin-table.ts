import { Logger } from '@nestjs/common';
import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { RESERVED_USERNAMES } from '../../users/user-rules.js';

/**
 * Creates the `admin` table, or adopts the one the original design created (id, username,
 * plain-text password) without losing a row: its columns are widened to hold argon2 hashes and
 * any name, and it gets the unique index on username that our lookups rely on.
 */
export class CreateAdminTable1764000000000 implements MigrationInterface {
  name = 'CreateAdminTable1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const adopting = await queryRunner.hasTable('admin');
    if (!adopting) {
      await queryRunner.createTable(
        new Table({
          name: 'admin',
          columns: [
            {
              name: 'id',
              type: 'integer',
              isPrimary: true,
              isGenerated: true,
              generationStrategy: 'increment',
            },
            { name: 'username', type: 'varchar', length: '64', isNullable: false },
            { name: 'password', type: 'varchar', length: '255', isNullable: false },
          ],
          indices: [{ name: 'UQ_admin_username', columnNames: ['username'], isUnique: true }],
        }),
      );
    } else {
      await renameReservedUsernames(queryRunner);
    }
    // Before looking for duplicates: the original's collation takes `alice` and `Alice`, or
    // `José` and `Jose`, for one name; ours compares exactly.
    if (queryRunner.dataSource.options.type === 'mysql') await normaliseMysqlTable(queryRunner);
    if (adopting) await addUniqueUsernameIndex(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('admin', true);
  }
}

async function normaliseMysqlTable(queryRunner: QueryRunner): Promise<void> {
  // utf8mb4 so that any script (Chinese included) and emoji fit; binary collation so that names
  // compare exactly, the same way SQLite compares them.
  await queryRunner.query(
    'ALTER TABLE `admin` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin',
  );
  const columns = (await queryRunner.query(
    `SELECT COLUMN_NAME AS name, CHARACTER_MAXIMUM_LENGTH AS len FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'admin' AND COLUMN_NAME IN ('username', 'password')`,
  )) as { name: string; len: number | string | null }[];
  const wanted: Record<string, number> = { username: 64, password: 255 };
  for (const column of columns) {
    // Only ever widen: narrowing could cut an existing value.
    if (column.len !== null && Number(column.len) < wanted[column.name]) {
      await queryRunner.query(
        `ALTER TABLE \`admin\` MODIFY \`${column.name}\` VARCHAR(${wanted[column.name]}) NOT NULL`,
      );
    }
  }
}

/**
 * An adopted name the protocol gives a meaning to (`all`, the group conversation; empty or
 * missing, the server's own `user: ''`) could never be told apart from it: that user is renamed
 * `NAME_ID` (`all_7`, or `user_7` for no name), keeps their password, and the start logs it.
 */
async function renameReservedUsernames(queryRunner: QueryRunner): Promise<void> {
  const rows = (await queryRunner.query('SELECT id, username FROM admin ORDER BY id')) as {
    id: number;
    username: string | null;
  }[];
  const taken = new Set(rows.map((row) => row.username));
  for (const { id, username } of rows) {
    if (username !== null && username !== '' && !RESERVED_USERNAMES.includes(username)) continue;
    let renamed = `${username || 'user'}_${id}`;
    while (taken.has(renamed)) renamed += '_';
    taken.add(renamed);
    await queryRunner.query('UPDATE admin SET username = ? WHERE id = ?', [renamed, id]);
    new Logger('Migration').warn(
      `user #${id} "${username ?? ''}" is renamed "${renamed}": that name is reserved by the protocol`,
    );
  }
}

async function addUniqueUsernameIndex(queryRunner: QueryRunner): Promise<void> {
  const table = await queryRunner.getTable('admin');
  const hasUnique =
    table?.indices.some((i) => i.isUnique && i.columnNames.join() === 'username') ||
    table?.uniques.some((u) => u.columnNames.join() === 'username');
  if (hasUnique) return;
  const duplicates = (await queryRunner.query(
    'SELECT username FROM admin GROUP BY username HAVING COUNT(*) > 1',
  )) as unknown[];
  if (duplicates.length > 0) {
    // Refuse to guess which of two same-named accounts is the real one.
    throw new Error(
      `admin table has ${duplicates.length} duplicated username(s); remove the duplicates, then start again`,
    );
  }
  await queryRunner.createIndex(
    'admin',
    new TableIndex({ name: 'UQ_admin_username', columnNames: ['username'], isUnique: true }),
  );
}
