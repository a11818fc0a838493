import { BadRequestException, Controller, Get, Query, Req, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedRequest } from '../auth/jwt.guard.js';
import { JwtGuard } from '../auth/jwt.guard.js';
import { isValidUsername, normaliseUsername } from '../users/user-rules.js';
import type { Conversation } from '../messages/history-page.js';
import { MessagesService } from '../messages/messages.service.js';
import { ApiCommonErrors, ApiErrors, ApiToken } from '../common/api-responses.js';
import { HistoryQueryDto } from './dto/history-query.dto.js';
import { HistoryResponse } from './dto/history-response.dto.js';
import { toHistoryItem } from './message-wire.js';

/** `GET /messages`: a page of one of the caller's conversations, as `history` items. */
@ApiTags('messages')
@ApiCommonErrors()
@Controller('messages')
@UseGuards(JwtGuard)
export class HistoryController {
  constructor(private readonly messages: MessagesService) {}

  /** One conversation of the caller's, newest page first, each page oldest first. */
  @Get()
  @ApiOperation({ summary: "A page of one of the caller's conversations, oldest first" })
  @ApiToken()
  @ApiOkResponse({ type: HistoryResponse })
  @ApiErrors([400, ['validation_failed'], 'a bad `with`, `before` or `limit`'])
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
