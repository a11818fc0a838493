import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Min } from 'class-validator';
import { HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT } from '../../messages/history-page.js';

const toNumber = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

/** `GET /messages?with=all|NAME&before=ID&limit=N` */
export class HistoryQueryDto {
  @ApiPropertyOptional({
    description: '"all" (the group) or a user name: your private conversation with them',
    default: 'all',
  })
  @IsString({ message: 'with must be "all" or a username' })
  with: string = 'all';

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    description: 'a message id: the messages just older than it (without it, the newest)',
  })
  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'before must be a message id' })
  @Min(1, { message: 'before must be a message id' })
  before?: number;

  /** Larger values are capped at 200. */
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    default: HISTORY_DEFAULT_LIMIT,
    description: `how many messages; more than ${HISTORY_MAX_LIMIT} is cut to ${HISTORY_MAX_LIMIT}`,
  })
  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  limit: number = HISTORY_DEFAULT_LIMIT;
}
