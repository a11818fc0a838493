import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Length } from 'class-validator';
import { PASSWORD_MAX, PASSWORD_MIN, PASSWORD_RULE, USERNAME_RULE } from '../../protocol/index.js';
import { IsUsername, normaliseUsername } from '../../users/user-rules.js';

/** Types are checked before any query: `{"password": {...}}` never reaches the database. */
export class LoginDto {
  @IsString({ message: 'username must be a string' })
  @Length(1, 64, { message: 'username must be 1-64 characters' })
  username: string;

  // Passwords adopted from the original design may be shorter than today's minimum.
  @IsString({ message: 'password must be a string' })
  @Length(1, PASSWORD_MAX, { message: `password must be 1-${PASSWORD_MAX} characters` })
  password: string;
}

export class RegisterDto {
  @Transform(({ value }) => normaliseUsername(value))
  @IsString({ message: 'username must be a string' })
  @IsUsername({ message: USERNAME_RULE })
  username: string;

  @IsString({ message: 'password must be a string' })
  @Length(PASSWORD_MIN, PASSWORD_MAX, { message: PASSWORD_RULE })
  password: string;
}

export class LogoutDto {
  /** Log out every session of the user, not only this token. */
  @IsOptional()
  @IsBoolean({ message: 'all must be true or false' })
  all?: boolean;
}
