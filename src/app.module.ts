import { Controller, type DynamicModule, Get, Module, Redirect } from '@nestjs/common';
import { ApiFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthModule } from './auth/auth.module.js';
import { ChatModule } from './chat/chat.module.js';
import { MessagesModule } from './messages/messages.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { FEATURE_CONFIGS } from './app-config.js';
import { ApiCommonErrors } from './common/api-responses.js';
import type { Env } from './config/environment.js';
import { configModule } from './config/feature-config.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { RedisModule } from './redis/redis.module.js';
import { UsersModule } from './users/users.module.js';

@ApiTags('pages')
@Controller()
class RootController {
  @Get()
  @Redirect('/login.html', 302)
  @ApiOperation({ summary: 'The login page' })
  @ApiFoundResponse({
    description: 'to /login.html',
    headers: { Location: { schema: { type: 'string' } } },
  })
  @ApiCommonErrors()
  root(): void {}
}

@Module({})
export class AppModule {
  /** The app on `env`: process.env in main.ts, a test's own object in the e2e tests. */
  static register(env: Env = process.env): DynamicModule {
    return {
      module: AppModule,
      imports: [
        configModule(env, FEATURE_CONFIGS),
        LoggingModule,
        MetricsModule,
        DatabaseModule,
        RedisModule,
        UsersModule,
        AuthModule,
        MessagesModule,
        ChatModule,
        HealthModule,
      ],
      controllers: [RootController],
    };
  }
}
