import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A chat user. The table keeps the original design's name and columns so old databases load. */
@Entity({ name: 'admin' })
export class User {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 64, unique: true })
  username: string;

  /** An argon2id hash; a plain-text password adopted from the original design until its first login. */
  @Column({ name: 'password', type: 'varchar', length: 255 })
  passwordHash: string;

  /** Bumped to refuse every token issued before (logout everywhere, password change). */
  @Column({ name: 'token_version', type: 'integer', default: 0 })
  tokenVersion: number;
}
