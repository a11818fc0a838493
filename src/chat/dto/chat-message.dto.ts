import { Transform } from 'class-transformer';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { USERNAME_PATTERN } from '../../users/user-rules.js';

export const MAX_TEXT_LENGTH = 2000;

const trim = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

/** Event 2 from a client. */
export class GroupMessageDto {
  @Transform(trim)
  @IsString({ message: 'data must be a string' })
  @IsNotEmpty({ message: 'data must not be empty' })
  @MaxLength(MAX_TEXT_LENGTH, { message: `data must be at most ${MAX_TEXT_LENGTH} characters` })
  data: string;
}

/** Event 3 from a client. */
export class PrivateMessageDto extends GroupMessageDto {
  @IsString({ message: 'to must be a username' })
  @Matches(USERNAME_PATTERN, { message: 'to must be a username' })
  to: string;
}
