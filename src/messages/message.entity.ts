import { Column, Entity, PrimaryGeneratedColumn, type ValueTransformer } from 'typeorm';

/** BIGINT arrives as a string from MySQL; milliseconds since the epoch fit a JS number. */
const bigintAsNumber: ValueTransformer = {
  to: (v: number) => v,
  from: (v: string | number) => Number(v),
};

/** Server-made client ids start with this, which client ids may not contain. */
export const SERVER_CID_PREFIX = '~';

@Entity({ name: 'messages' })
export class Message {
  @PrimaryGeneratedColumn()
  id: number;

  /** The sender's name when they sent it; the protocol speaks names. */
  @Column({ type: 'varchar', length: 64 })
  sender: string;

  /** The sender's account; null once it is removed (the name may then belong to someone else). */
  @Column({ name: 'sender_id', type: 'integer', nullable: true })
  senderId: number | null;

  /** null: the group conversation. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  recipient: string | null;

  /** The recipient's account; null for the group, and once the recipient is removed. */
  @Column({ name: 'recipient_id', type: 'integer', nullable: true })
  recipientId: number | null;

  /** Exactly as sent. */
  @Column({ type: 'text' })
  text: string;

  /** The sender's own id for the message, or a server-made one (SERVER_CID_PREFIX). */
  @Column({ type: 'varchar', length: 80 })
  cid: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintAsNumber })
  createdAt: number;

  /** false while a private message waits for its offline recipient. */
  @Column({ type: 'boolean', default: true })
  delivered: boolean;
}
