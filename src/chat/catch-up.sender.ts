import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { chatConfig } from './chat.config.js';
import type { CatchUpBudget } from '../messages/catch-up.js';
import { MessagesService } from '../messages/messages.service.js';
import { ChatEvent, SERVER_ERRORS } from '../protocol/index.js';
import type { ChatSocket } from './chat-socket.js';
import { errorNotice } from './error-notice.js';
import { historyChunks } from './history-chunks.js';
import { toHistoryItem } from './message-wire.js';
import { flushed } from './socket-buffers.js';
import { SocketLimits } from './socket-limits.service.js';

/** Longest wait for a socket to read a catch-up page before the next one is sent anyway. */
const CATCH_UP_DRAIN_MS = 10_000;

/**
 * Sends a socket that just connected what it missed (MessagesService.catchUp) as `history`
 * events, no faster than it reads them, charged to its user's event budget; then marks what
 * waited for the user as delivered.
 */
@Injectable()
export class CatchUpSender {
  private readonly logger = new Logger(CatchUpSender.name);

  constructor(
    private readonly messages: MessagesService,
    private readonly limits: SocketLimits,
    @Inject(chatConfig.KEY) private readonly config: ConfigType<typeof chatConfig>,
  ) {}

  /** Everything after `lastId` (or the recent messages) up to `until`; later ones arrive live. */
  async send(
    socket: ChatSocket,
    lastId: number | undefined,
    until: number | Promise<number>,
  ): Promise<void> {
    const { id: userId, username } = socket.data.user;
    const budget: CatchUpBudget = {
      afford: (pages: number) => this.limits.affordCatchUp(username, pages),
      charge: (pages: number) => this.limits.chargeCatchUp(username, pages),
    };
    try {
      const untilId = await until;
      // What waited is delivered once the whole catch-up went out: (after, upTo] of its pages.
      let waited: { after: number; upTo: number } | undefined;
      const { slowConsumerBytes } = this.config.limits;
      for await (const page of this.messages.catchUp(userId, lastId, untilId, budget)) {
        const items = page.messages.map((m) => toHistoryItem(m, userId));
        const chunks = historyChunks(items, slowConsumerBytes / 4);
        for (const [i, data] of chunks.entries()) {
          if (socket.disconnected) return;
          // Each event waits until the previous ones have mostly left: a catch-up must not be
          // taken for a client that does not read (SLOW_CONSUMER_BYTES).
          await flushed([socket], CATCH_UP_DRAIN_MS, slowConsumerBytes / 2);
          if (socket.disconnected) return;
          const done = page.done && i === chunks.length - 1;
          socket.emit(ChatEvent.History, { user: '', data, until: untilId, done, more: page.more });
        }
        if (items.some((item) => item.unread))
          waited = { after: waited?.after ?? page.after, upTo: items[items.length - 1].id };
      }
      // Most connects find nothing waiting: no write for them.
      if (waited && socket.connected)
        await this.messages.markDelivered(userId, waited.after, waited.upTo);
    } catch (error) {
      this.logger.error(error instanceof Error ? error.stack : String(error));
      socket.emit(ChatEvent.Error, errorNotice(SERVER_ERRORS.historyUnavailable));
    }
  }
}
