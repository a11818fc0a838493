import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A token logged out before it expired; kept until its expiry, then pruned. */
@Entity({ name: 'revoked_tokens' })
export class RevokedToken {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  jti: string;

  @Column({
    name: 'expires_at',
    type: 'bigint',
    transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) },
  })
  expiresAt: number;
}
