import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { MessagesModule } from '../messages/messages.module.js';
import { UsersModule } from '../users/users.module.js';
import { ChatGateway } from './chat.gateway.js';
import { DeliveryService } from './delivery.service.js';
import { PresenceService } from './presence.service.js';
import { SocketLimits } from './socket-limits.service.js';

@Module({
  imports: [AuthModule, MessagesModule, UsersModule],
  providers: [ChatGateway, PresenceService, DeliveryService, SocketLimits],
})
export class ChatModule {}
