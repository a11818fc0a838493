import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';
import { mysqlText } from './column-charset.js';

/** Stored messages: the group conversation (recipient NULL) and private ones. */
export class CreateMessagesTable1764000000001 implements MigrationInterface {
  name = 'CreateMessagesTable1764000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const text = mysqlText(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'messages',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'sender', type: 'varchar', length: '64', ...text },
          { name: 'recipient', type: 'varchar', length: '64', isNullable: true, ...text },
          { name: 'text', type: 'text', ...text },
          { name: 'cid', type: 'varchar', length: '80', ...text },
          { name: 'created_at', type: 'bigint' },
          { name: 'delivered', type: 'boolean', default: true },
        ],
        indices: [
          // group history and "private ones to me": WHERE recipient <=> ? ORDER BY id
          { name: 'IDX_messages_recipient_id', columnNames: ['recipient', 'id'] },
          // one private conversation, and "what I sent"
          { name: 'IDX_messages_sender_recipient_id', columnNames: ['sender', 'recipient', 'id'] },
          // a retried message (same sender and client id) is stored once
          { name: 'UQ_messages_cid_sender', columnNames: ['cid', 'sender'], isUnique: true },
        ],
      }),
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('messages', true);
  }
}
