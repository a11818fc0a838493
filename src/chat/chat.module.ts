import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { MessagesModule } from '../messages/messages.module.js';
import { UsersModule } from '../users/users.module.js';
import { CatchUpSender } from './catch-up.sender.js';
import { ChatGateway } from './chat.gateway.js';
import { chatServerProvider } from './chat-server.js';
import { ClusterResync } from './cluster-resync.service.js';
import { DeliveryService } from './delivery.service.js';
import { ChatHandshake } from './handshake.js';
import { HistoryController } from './history.controller.js';
import { presenceStoreProvider } from './presence-store.provider.js';
import { PresenceService } from './presence.service.js';
import { SocketLifecycle } from './socket-lifecycle.service.js';
import { SocketLimits } from './socket-limits.service.js';
import { SocketLog } from './socket-log.js';

/** Everything client-facing: the socket protocol and the history API, over MessagesModule. */
@Module({
  imports: [AuthModule, MessagesModule, UsersModule],
  controllers: [HistoryController],
  providers: [
    chatServerProvider,
    ChatGateway,
    ChatHandshake,
    SocketLifecycle,
    CatchUpSender,
    presenceStoreProvider,
    PresenceService,
    DeliveryService,
    SocketLimits,
    SocketLog,
    ClusterResync,
  ],
})
export class ChatModule {}
