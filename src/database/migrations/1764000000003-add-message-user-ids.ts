import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Messages belong to user ids, not names: a name freed by `npm run user -- remove` and taken by
 * someone else must not bring the removed account's messages with it. `sender_id` and
 * `recipient_id` are filled from `admin` by name; a name with no user any more keeps the name
 * only (NULL id), which is how a removed account's messages look from now on (see
 * UsersRepository.deleteByUsername). The names stay: the protocol speaks names.
 *
 * Plain ALTER TABLE ADD COLUMN (not TypeORM's addColumn, which rebuilds the table on SQLite).
 */
export class AddMessageUserIds1764000000003 implements MigrationInterface {
  name = 'AddMessageUserIds1764000000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE messages ADD COLUMN sender_id integer NULL');
    await queryRunner.query('ALTER TABLE messages ADD COLUMN recipient_id integer NULL');
    await queryRunner.query(
      'UPDATE messages SET sender_id = (SELECT a.id FROM admin a WHERE a.username = messages.sender)',
    );
    await queryRunner.query(
      `UPDATE messages SET recipient_id = (SELECT a.id FROM admin a WHERE a.username = messages.recipient)
        WHERE recipient IS NOT NULL`,
    );
    // A retry is the same sender account with the same client id: a newcomer who took a
    // removed user's name may reuse that user's client ids.
    await dropIndex(queryRunner, 'UQ_messages_cid_sender');
    await queryRunner.query(
      'CREATE UNIQUE INDEX UQ_messages_cid_sender_id ON messages (cid, sender_id)',
    );
    // One private conversation seen by one of its users: what I sent to that name, ...
    await queryRunner.query(
      'CREATE INDEX IDX_messages_sender_id_recipient ON messages (sender_id, recipient, id)',
    );
    // ... and what I received from that name.
    await queryRunner.query(
      'CREATE INDEX IDX_messages_recipient_id_sender ON messages (recipient_id, sender, id)',
    );
    // What waited for me while I was offline.
    await queryRunner.query(
      'CREATE INDEX IDX_messages_recipient_id_delivered ON messages (recipient_id, delivered, id)',
    );
    // Every private query now goes by id: the name index only cost writes.
    await dropIndex(queryRunner, 'IDX_messages_sender_recipient_id');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX IDX_messages_sender_recipient_id ON messages (sender, recipient, id)',
    );
    for (const index of [
      'IDX_messages_recipient_id_delivered',
      'IDX_messages_recipient_id_sender',
      'IDX_messages_sender_id_recipient',
      'UQ_messages_cid_sender_id',
    ]) {
      await dropIndex(queryRunner, index);
    }
    await queryRunner.query('CREATE UNIQUE INDEX UQ_messages_cid_sender ON messages (cid, sender)');
    await queryRunner.query('ALTER TABLE messages DROP COLUMN recipient_id');
    await queryRunner.query('ALTER TABLE messages DROP COLUMN sender_id');
  }
}

/** MySQL names the table (`DROP INDEX i ON t`); SQLite index names are global. */
async function dropIndex(queryRunner: QueryRunner, name: string): Promise<void> {
  const mysql = queryRunner.dataSource.options.type === 'mysql';
  await queryRunner.query(`DROP INDEX ${name}${mysql ? ' ON messages' : ''}`);
}
