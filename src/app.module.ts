import { Controller, type DynamicModule, Get, Module, Redirect } from '@nestjs/common';
import { AuthModule } from './auth/auth.module.js';
import { ChatModule } from './chat/chat.module.js';
import { MessagesModule } from './messages/messages.module.js';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { UsersModule } from './users/users.module.js';

@Controller()
class RootController {
  @Get()
  @Redirect('/login.html', 302)
  root(): void {}
}

@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        UsersModule,
        AuthModule,
        MessagesModule,
        ChatModule,
      ],
      controllers: [RootController],
    };
  }
}
