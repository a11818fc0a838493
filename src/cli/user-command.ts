import 'reflect-metadata';
import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { configModule } from '../config/feature-config.js';
import { DatabaseModule } from '../database/database.module.js';
import { databaseConfig } from '../database/database.config.js';
import { UsersModule } from '../users/users.module.js';
import { redisConfig } from '../redis/redis.config.js';
import { UsersService } from '../users/users.service.js';
import { closeSocketsEverywhere } from './close-sockets.js';

const USAGE = `usage:
  npm run user -- add NAME PASSWORD
  npm run user -- passwd NAME PASSWORD
  npm run user -- remove NAME
  npm run user -- list`;

/**
 * User management with the server's own configuration (DATABASE_URL, DATA_DIR, REDIS_URL). A
 * changed password or a removed user refuses the user's tokens from then on; the sockets they
 * have open are closed at once in cluster mode (closeSocketsEverywhere), else by the server's
 * session sweep (SESSION_CHECK_MS).
 */
export async function runUserCommand(argv: string[], env = process.env): Promise<string> {
  const [command, name, password] = argv;
  const arity: Record<string, number> = { add: 3, passwd: 3, remove: 2, list: 1 };
  if (!command || arity[command] !== argv.length) throw new UsageError(USAGE);

  @Module({
    imports: [configModule(env, [databaseConfig, redisConfig]), DatabaseModule, UsersModule],
  })
  class UserCliModule {}

  const context = await NestFactory.createApplicationContext(UserCliModule, { logger: ['error'] });
  try {
    const users = context.get(UsersService);
    const { url: redisUrl } = context.get<ConfigType<typeof redisConfig>>(redisConfig.KEY);
    const closeSockets = async () => {
      if (!redisUrl) return;
      try {
        await closeSocketsEverywhere(redisUrl, name);
      } catch (error) {
        console.warn(
          `could not reach Redis (${String(error)}): ${name}'s open sockets close at the servers' next session check`,
        );
      }
    };
    switch (command) {
      case 'add':
        await users.create(name, password);
        return `added ${name}`;
      case 'passwd':
        await users.changePassword(name, password);
        await closeSockets();
        return `changed the password of ${name}`;
      case 'remove':
        await users.remove(name);
        await closeSockets();
        return `removed ${name}`;
      default:
        return (await users.listUsernames()).join('\n');
    }
  } finally {
    await context.close();
  }
}

export class UsageError extends Error {}
