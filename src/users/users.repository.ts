import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, QueryFailedError, Repository } from 'typeorm';
import { User } from './user.entity.js';

export class DuplicateUsernameError extends Error {}

/** Every query on the `admin` table goes through here. */
@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /** Exactly that name: MariaDB's utf8mb4_bin ignores trailing spaces (`alice ` finds alice). */
  async findByUsername(username: string): Promise<User | null> {
    const user = await this.users.findOneBy({ username });
    return user?.username === username ? user : null;
  }

  findByUsernameKey(usernameKey: string): Promise<User | null> {
    return this.users.findOneBy({ usernameKey });
  }

  /** Throws DuplicateUsernameError when the name or its key is taken. */
  async insert(username: string, usernameKey: string, passwordHash: string): Promise<User> {
    try {
      return await this.users.save(this.users.create({ username, usernameKey, passwordHash }));
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateUsernameError(username);
      throw error;
    }
  }

  async updatePasswordHash(id: number, passwordHash: string): Promise<void> {
    await this.users.update({ id }, { passwordHash });
  }

  /** A new hash that also refuses every token issued until now. */
  async replacePasswordHash(id: number, passwordHash: string): Promise<void> {
    await this.users.update(
      { id },
      {
        passwordHash,
        tokenVersion: () => 'token_version + 1',
      },
    );
  }

  async bumpTokenVersion(id: number): Promise<void> {
    await this.users.increment({ id }, 'tokenVersion', 1);
  }

  /** Current token versions by user id; a missing id is a removed user. */
  async findTokenVersions(ids: number[]): Promise<Map<number, number>> {
    if (ids.length === 0) return new Map();
    const rows = await this.users.find({
      select: { id: true, tokenVersion: true },
      where: { id: In(ids) },
    });
    return new Map(rows.map((row) => [row.id, row.tokenVersion]));
  }

  /**
   * Removes the user; their messages keep their name but lose their id, in the same
   * transaction, so that whoever takes the name later does not get them (see
   * AddMessageUserIds1764000000003).
   */
  async deleteByUsername(username: string): Promise<boolean> {
    return this.users.manager.transaction(async (manager) => {
      const user = await manager.findOneBy(User, { username });
      if (!user) return false;
      await manager.delete(User, { id: user.id });
      await manager.query('UPDATE messages SET sender_id = NULL WHERE sender_id = ?', [user.id]);
      await manager.query('UPDATE messages SET recipient_id = NULL WHERE recipient_id = ?', [
        user.id,
      ]);
      return true;
    });
  }

  async listUsernames(): Promise<string[]> {
    const rows = await this.users.find({ select: { username: true }, order: { id: 'ASC' } });
    return rows.map((row) => row.username);
  }
}

function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const code = (error.driverError as { code?: string } | undefined)?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
