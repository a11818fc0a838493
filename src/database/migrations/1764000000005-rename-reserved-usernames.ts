import { Logger } from '@nestjs/common';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { RESERVED_USERNAMES, usernameKey } from '../../users/user-rules.js';

/**
 * Accounts that registered a reserved name (`all`, the group conversation's key) before it was
 * refused: renamed `NAME_ID` (`all_7`), as adoption does, with their password, and with the name
 * on their messages, so that their private messages no longer show as the group's and others can
 * write to them. The start logs each rename, for the administrator to tell the user.
 */
export class RenameReservedUsernames1764000000005 implements MigrationInterface {
  name = 'RenameReservedUsernames1764000000005';

  async up(queryRunner: QueryRunner): Promise<void> {
    const placeholders = RESERVED_USERNAMES.map(() => '?').join(', ');
    const reserved = (await queryRunner.query(
      `SELECT id, username FROM admin WHERE username IN (${placeholders}) ORDER BY id`,
      RESERVED_USERNAMES,
    )) as { id: number; username: string }[];
    for (const { id, username } of reserved) {
      let renamed = `${username}_${id}`;
      while (await taken(queryRunner, renamed)) renamed += '_';
      const key = usernameKey(renamed);
      // The key is unique: a look-alike of the new name that holds it already keeps it.
      const keyHeld = (await queryRunner.query('SELECT id FROM admin WHERE username_key = ?', [
        key,
      ])) as unknown[];
      await queryRunner.query('UPDATE admin SET username = ?, username_key = ? WHERE id = ?', [
        renamed,
        keyHeld.length > 0 ? null : key,
        id,
      ]);
      await queryRunner.query('UPDATE messages SET sender = ? WHERE sender_id = ?', [renamed, id]);
      await queryRunner.query('UPDATE messages SET recipient = ? WHERE recipient_id = ?', [
        renamed,
        id,
      ]);
      new Logger('Migration').warn(
        `user #${id} "${username}" is renamed "${renamed}": that name is reserved by the protocol`,
      );
    }
  }

  /** Nothing to undo: the old name cannot work, and the rename is logged. */
  async down(): Promise<void> {}
}

async function taken(queryRunner: QueryRunner, username: string): Promise<boolean> {
  const rows = (await queryRunner.query('SELECT id FROM admin WHERE username = ?', [
    username,
  ])) as unknown[];
  return rows.length > 0;
}
