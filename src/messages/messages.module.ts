import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Message } from './message.entity.js';
import { MessageStore } from './message-store.service.js';
import { MessagesRepository } from './messages.repository.js';
import { MessagesService } from './messages.service.js';

/** Storage only: the table, the batched store and the reads. Clients reach it through chat/. */
@Module({
  imports: [TypeOrmModule.forFeature([Message])],
  providers: [MessagesRepository, MessageStore, MessagesService],
  exports: [MessagesService, MessageStore],
})
export class MessagesModule {}
