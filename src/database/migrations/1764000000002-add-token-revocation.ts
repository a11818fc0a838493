import { type MigrationInterface, type QueryRunner, Table, TableColumn } from 'typeorm';
import { mysqlText } from './column-charset.js';

/**
 * Logout that means it: `admin.token_version` refuses every older token of a user (logout
 * everywhere, password change); `revoked_tokens` lists single tokens logged out before expiry.
 */
export class AddTokenRevocation1764000000002 implements MigrationInterface {
  name = 'AddTokenRevocation1764000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'admin',
      new TableColumn({ name: 'token_version', type: 'integer', default: 0, isNullable: false }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'revoked_tokens',
        columns: [
          {
            name: 'jti',
            type: 'varchar',
            length: '64',
            isPrimary: true,
            ...mysqlText(queryRunner),
          },
          { name: 'expires_at', type: 'bigint' },
        ],
        indices: [{ name: 'IDX_revoked_tokens_expires_at', columnNames: ['expires_at'] }],
      }),
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('revoked_tokens', true);
    await queryRunner.dropColumn('admin', 'token_version');
  }
}
