import { Logger } from '@nestjs/common';
import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { usernameKey } from '../../users/user-rules.js';
import { mysqlText } from './column-charset.js';

/**
 * `admin.username_key`: what a name looks like (see usernameKey), unique, so that no new name can
 * pass for a taken one. Existing names that already look alike all stay; only the oldest holds
 * the key, the others keep null.
 */
export class AddUsernameKey1764000000004 implements MigrationInterface {
  name = 'AddUsernameKey1764000000004';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'admin',
      new TableColumn({
        name: 'username_key',
        type: 'varchar',
        length: '64',
        isNullable: true,
        ...mysqlText(queryRunner),
      }),
    );
    const rows = (await queryRunner.query('SELECT id, username FROM admin ORDER BY id')) as {
      id: number;
      username: string | null;
    }[];
    const holders = new Map<string, string>();
    for (const { id, username } of rows) {
      if (typeof username !== 'string') continue;
      const key = usernameKey(username);
      const holder = holders.get(key);
      if (holder !== undefined) {
        new Logger('Migration').warn(
          `user "${username}" looks like "${holder}"; both are kept, no new look-alike is accepted`,
        );
        continue;
      }
      holders.set(key, username);
      await queryRunner.query('UPDATE admin SET username_key = ? WHERE id = ?', [key, id]);
    }
    await queryRunner.createIndex(
      'admin',
      new TableIndex({
        name: 'UQ_admin_username_key',
        columnNames: ['username_key'],
        isUnique: true,
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('admin', 'UQ_admin_username_key');
    await queryRunner.dropColumn('admin', 'username_key');
  }
}
