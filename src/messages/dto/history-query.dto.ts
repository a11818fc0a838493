import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Min } from 'class-validator';
import { HISTORY_DEFAULT_LIMIT } from '../history.js';

const toNumber = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

/** `GET /messages?with=all|NAME&before=ID&limit=N` */
export class HistoryQueryDto {
  @IsString({ message: 'with must be "all" or a username' })
  with: string = 'all';

  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'before must be a message id' })
  @Min(1, { message: 'before must be a message id' })
  before?: number;

  /** Larger values are capped at 200. */
  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  limit: number = HISTORY_DEFAULT_LIMIT;
}
