import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A chat user. The table keeps the original design's name and columns so old databases load. */
@Entity({ name: 'admin' })
export class User {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 64, unique: true })
  username: string;

  /**
   * usernameKey(username): unique, so that no new name looks like a taken one. Null for a name
   * that already looked like an older one when this came in (both accounts are kept).
   */
  @Column({ name: 'username_key', type: 'varchar', length: 64, nullable: true })
  usernameKey: string | null;

  /** An argon2id hash; a plain-text password adopted from the original design until its first login. */
  @Column({ name: 'password', type: 'varchar', length: 255 })
  passwordHash: string;

  /** Bumped to refuse every token issued before (logout everywhere, password change). */
  @Column({ name: 'token_version', type: 'integer', default: 0 })
  tokenVersion: number;
}
