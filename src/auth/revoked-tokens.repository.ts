import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, type Repository } from 'typeorm';
import { RevokedToken } from './revoked-token.entity.js';

@Injectable()
export class RevokedTokensRepository {
  constructor(@InjectRepository(RevokedToken) private readonly tokens: Repository<RevokedToken>) {}

  async add(jti: string, expiresAt: number): Promise<void> {
    await this.tokens.upsert({ jti, expiresAt }, ['jti']);
  }

  /** Which of these token ids are revoked. */
  async findRevoked(jtis: string[]): Promise<Set<string>> {
    if (jtis.length === 0) return new Set();
    const rows = await this.tokens.find({ select: { jti: true }, where: { jti: In(jtis) } });
    return new Set(rows.map((row) => row.jti));
  }

  async deleteExpired(now: number): Promise<void> {
    await this.tokens.delete({ expiresAt: LessThan(now) });
  }
}
