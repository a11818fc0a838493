import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Length } from 'class-validator';
import { PASSWORD_MAX, PASSWORD_MIN, PASSWORD_RULE, USERNAME_RULE } from '../../protocol/index.js';
import { IsUsername, normaliseUsername } from '../../users/user-rules.js';

/** Types are checked before any query: `{"password": {...}}` never reaches the database. */
export class LoginDto {
  @ApiProperty({ minLength: 1, maxLength: 64, example: 'alice' })
  @IsString({ message: 'username must be a string' })
  @Length(1, 64, { message: 'username must be 1-64 characters' })
  username: string;

  // Passwords adopted from the original design may be shorter than today's minimum.
  @ApiProperty({ minLength: 1, maxLength: PASSWORD_MAX, format: 'password' })
  @IsString({ message: 'password must be a string' })
  @Length(1, PASSWORD_MAX, { message: `password must be 1-${PASSWORD_MAX} characters` })
  password: string;
}

export class RegisterDto {
  @ApiProperty({
    description: `${USERNAME_RULE} (NFC-normalised; not "all", nor like a taken name)`,
    minLength: 1,
    maxLength: 32,
    example: 'alice',
  })
  @Transform(({ value }) => normaliseUsername(value))
  @IsString({ message: 'username must be a string' })
  @IsUsername({ message: USERNAME_RULE })
  username: string;

  @ApiProperty({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX, format: 'password' })
  @IsString({ message: 'password must be a string' })
  @Length(PASSWORD_MIN, PASSWORD_MAX, { message: PASSWORD_RULE })
  password: string;
}

export class LogoutDto {
  /** Log out every session of the user, not only this token. */
  @ApiPropertyOptional({ description: 'true: revoke every token of the user, not only this one' })
  @IsOptional()
  @IsBoolean({ message: 'all must be true or false' })
  all?: boolean;
}
