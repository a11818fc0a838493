import {
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
} from 'class-validator';
import { MAX_TEXT_LENGTH } from '../../protocol/index.js';
import { IsUsername, isValidUsername } from '../../users/user-rules.js';

/** Whitespace and what renders as nothing (zero-width space, joiners, Hangul fillers...). */
export const BLANK = /^[\s\p{Default_Ignorable_Code_Point}]*$/u;

/** Text is kept exactly as sent; it must show something. */
const IsNotBlank = () =>
  ValidateBy({
    name: 'isNotBlank',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && !BLANK.test(value),
      defaultMessage: () => 'data must not be empty',
    },
  });

/**
 * A lone UTF-16 surrogate cannot be stored as UTF-8: it would come back as something else, so
 * it is refused rather than acknowledged and altered.
 */
const IsWellFormedText = () =>
  ValidateBy({
    name: 'isWellFormedText',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && (value as string & { isWellFormed(): boolean }).isWellFormed(),
      defaultMessage: () => 'data must be valid Unicode text',
    },
  });

/** A client's own id for a message. */
export const CID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Event 2 from a client. */
export class GroupMessageDto {
  @IsString({ message: 'data must be a string' })
  @IsNotBlank()
  @IsWellFormedText()
  @MaxLength(MAX_TEXT_LENGTH, { message: `data must be at most ${MAX_TEXT_LENGTH} characters` })
  data: string;

  /** The client's own id for this message: a retry with the same cid is stored and delivered once. */
  @IsOptional()
  @IsString({ message: 'cid must be a string' })
  @Matches(CID_PATTERN, { message: 'cid must be 1-64 characters of A-Z a-z 0-9 _ -' })
  cid?: string;
}

/** Event 3 from a client. */
export class PrivateMessageDto extends GroupMessageDto {
  @IsUsername({ message: 'to must be a username' })
  to: string;
}

/** `typing` from a client: `to` is 'all' or a username. */
export class TypingDto {
  @ValidateBy(
    {
      name: 'isConversation',
      validator: {
        validate: (value: unknown) => value === 'all' || isValidUsername(value),
      },
    },
    { message: 'to must be "all" or a username' },
  )
  to: string;
}

/** `catch-up` from a client (after a `resync`): the last message id it saw. */
export class CatchUpDto {
  @IsInt({ message: 'lastId must be an integer' })
  @Min(0, { message: 'lastId must be an integer' })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'lastId must be an integer' })
  lastId: number;
}
