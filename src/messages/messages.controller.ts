import { BadRequestException, Controller, Get, Query, Req, UseGuards } from '@nestjs/common';
import type { AuthenticatedRequest } from '../auth/jwt.guard.js';
import { JwtGuard } from '../auth/jwt.guard.js';
import { isValidUsername, normaliseUsername } from '../users/user-rules.js';
import { HistoryQueryDto } from './dto/history-query.dto.js';
import type { Conversation } from './history.js';
import { MessagesService } from './messages.service.js';
import { toHistoryItem } from './message-wire.js';

@Controller('messages')
@UseGuards(JwtGuard)
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  /** One conversation of the caller's, newest page first, each page oldest first. */
  @Get()
  async history(@Req() req: AuthenticatedRequest, @Query() query: HistoryQueryDto) {
    const conversation = conversationOf(req.user.id, query.with);
    const page = await this.messages.page(conversation, query.before, query.limit);
    return { status: 1, data: page.map((m) => toHistoryItem(m)) };
  }
}

/** Only the group and the caller's own private conversations can be named. */
function conversationOf(me: number, withWhom: string): Conversation {
  if (withWhom === 'all') return { kind: 'group' };
  const other = normaliseUsername(withWhom);
  if (!isValidUsername(other))
    throw new BadRequestException('with must be "all" or a username', {
      errorCode: 'validation_failed',
    });
  return { kind: 'private', me, with: other };
}
