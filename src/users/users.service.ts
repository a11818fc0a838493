import {
  BadRequestException,
  ConflictException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { ERROR_MESSAGES, PASSWORD_RULE, USERNAME_LOOKALIKE } from '../protocol/index.js';
import { PasswordService } from './password.service.js';
import type { PublicUser } from './public-user.js';
import type { User } from './user.entity.js';
import {
  isValidPassword,
  newUsernameProblem,
  normaliseUsername,
  usernameKey,
} from './user-rules.js';
import { DuplicateUsernameError, UsersRepository } from './users.repository.js';

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly passwords: PasswordService,
  ) {}

  async create(username: string, password: string): Promise<PublicUser> {
    const name = checkedUsername(username);
    const plain = checkedPassword(password);
    const key = usernameKey(name);
    const lookalike = await this.users.findByUsernameKey(key);
    if (lookalike && lookalike.username !== name) throw new ConflictException(USERNAME_LOOKALIKE);
    const hash = await this.passwords.hash(plain);
    try {
      return toPublic(await this.users.insert(name, key, hash));
    } catch (error) {
      if (error instanceof DuplicateUsernameError)
        throw new ConflictException(ERROR_MESSAGES.username_taken);
      throw error;
    }
  }

  /**
   * The user whose name and password match, or null. Unknown names cost the same time as wrong
   * passwords. An adopted plain-text password is replaced by an argon2id hash here.
   */
  async verifyCredentials(username: string, password: string): Promise<PublicUser | null> {
    const user = await this.users.findByUsername(normaliseUsername(username) as string);
    if (!user) {
      await this.passwords.spendCheckTime(password);
      return null;
    }
    const check = await this.passwords.check(user.passwordHash, password);
    if (!check.ok) return null;
    if (check.needsRehash) {
      await this.users.updatePasswordHash(user.id, await this.passwords.hash(password));
    }
    return toPublic(user);
  }

  async changePassword(username: string, password: string): Promise<void> {
    const user = await this.requireUser(username);
    // The old password's tokens stop working with it.
    const hash = await this.passwords.hash(checkedPassword(password));
    await this.users.replacePasswordHash(user.id, hash);
  }

  async remove(username: string): Promise<void> {
    const removed = await this.users.deleteByUsername(normaliseUsername(username) as string);
    if (!removed) throw new NotFoundException(`no user named ${username}`);
  }

  listUsernames(): Promise<string[]> {
    return this.users.listUsernames();
  }

  async exists(username: string): Promise<boolean> {
    return (await this.users.findByUsername(username)) !== null;
  }

  logoutEverywhere(userId: number): Promise<void> {
    return this.users.bumpTokenVersion(userId);
  }

  findTokenVersions(userIds: number[]): Promise<Map<number, number>> {
    return this.users.findTokenVersions(userIds);
  }

  private async requireUser(username: string): Promise<User> {
    const user = await this.users.findByUsername(normaliseUsername(username) as string);
    if (!user) throw new NotFoundException(`no user named ${username}`);
    return user;
  }
}

function checkedUsername(username: string): string {
  const name = normaliseUsername(username);
  const problem = newUsernameProblem(name);
  if (problem) throw new BadRequestException(problem);
  return name as string;
}

function checkedPassword(password: string): string {
  if (!isValidPassword(password)) throw new BadRequestException(PASSWORD_RULE);
  return password;
}

function toPublic(user: User): PublicUser {
  return { id: user.id, username: user.username, tokenVersion: user.tokenVersion };
}
