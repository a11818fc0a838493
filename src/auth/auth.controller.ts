import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Ip,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import type { ConfigType } from '@nestjs/config';
import {
  ApiCommonErrors,
  type ApiErrorSpec,
  ApiErrors,
  ApiToken,
} from '../common/api-responses.js';
import { authConfig } from './auth.config.js';
import { AuthService } from './auth.service.js';
import type { Session } from './session.js';
import {
  DoneResponse,
  SessionResponse,
  SettingsResponse,
  UserinfoResponse,
} from './dto/auth-responses.dto.js';
import { LoginDto, LogoutDto, RegisterDto } from './dto/credentials.dto.js';
import { SessionsService } from './sessions.service.js';
import { type AuthenticatedRequest, JwtGuard } from './jwt.guard.js';

/** The token goes back in the Authorization response header as well as in the body. */
const TOKEN_HEADER = {
  Authorization: { description: 'The JWT (raw, no "Bearer ")', schema: { type: 'string' } },
};
const TOO_MANY_ATTEMPTS = [
  429,
  ['too_many_attempts'],
  'too many attempts from this address or for this name (header Retry-After: seconds)',
] as const satisfies ApiErrorSpec;

@ApiTags('auth')
@ApiCommonErrors()
@ApiConsumes('application/json', 'application/x-www-form-urlencoded')
@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
  ) {}

  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in: a token for a name and password' })
  @ApiOkResponse({ type: SessionResponse, headers: TOKEN_HEADER })
  @ApiErrors(
    [
      400,
      ['validation_failed', 'bad_request', 'too_deeply_nested'],
      'a missing or non-string field',
    ],
    [401, ['bad_credentials'], 'unknown name or wrong password (one answer for both)'],
    [413, ['payload_too_large'], 'a body over 16 KB'],
    TOO_MANY_ATTEMPTS,
  )
  async login(@Body() body: LoginDto, @Ip() ip: string, @Res({ passthrough: true }) res: Response) {
    return sessionResponse(await this.auth.login(body.username, body.password, ip), res);
  }

  @Post('register')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an account and log in' })
  @ApiCreatedResponse({ type: SessionResponse, headers: TOKEN_HEADER })
  @ApiErrors(
    [
      400,
      [
        'invalid_username',
        'username_invisible',
        'username_reserved',
        'invalid_password',
        'validation_failed',
        'bad_request',
        'too_deeply_nested',
      ],
      'the name or password breaks the rules',
    ],
    [403, ['registration_closed', 'origin_refused'], 'REGISTRATION=off, or a refused Origin'],
    [409, ['username_taken', 'username_lookalike'], 'the name (or one like it) is taken'],
    [413, ['payload_too_large'], 'a body over 16 KB'],
    TOO_MANY_ATTEMPTS,
  )
  async register(
    @Body() body: RegisterDto,
    @Ip() ip: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return sessionResponse(await this.auth.register(body.username, body.password, ip), res);
  }

  @Get('userinfo')
  @UseGuards(JwtGuard)
  @ApiOperation({ summary: "The token's user name" })
  @ApiToken()
  @ApiOkResponse({ type: UserinfoResponse })
  userinfo(@Req() req: AuthenticatedRequest) {
    return { status: 1, username: req.user.username };
  }

  /** Revokes the presented token, or with `{"all": true}` every token of the user. */
  @Post('logout')
  @HttpCode(200)
  @UseGuards(JwtGuard)
  @ApiOperation({
    summary: 'Revoke this token, or with {"all": true} every token of the user',
    description: 'No body at all means the same as {}. Sockets on revoked tokens are disconnected.',
  })
  @ApiToken()
  @ApiBody({ type: LogoutDto, required: false })
  @ApiOkResponse({ type: DoneResponse })
  @ApiErrors(
    [400, ['validation_failed', 'bad_request'], '`all` is not a boolean'],
    [413, ['payload_too_large'], 'a body over 16 KB'],
  )
  async logout(@Req() req: AuthenticatedRequest, @Body() body: LogoutDto) {
    // No body at all (no Content-Type) means the same as {}.
    if (body?.all) await this.sessions.logoutEverywhere(req.user);
    else await this.sessions.logout(req.user);
    return { status: 1 };
  }

  /** What the login page needs to know before anyone logs in. */
  @Get('settings')
  @ApiOperation({ summary: 'What the login page needs to know before anyone logs in' })
  @ApiOkResponse({ type: SettingsResponse })
  settings() {
    return { status: 1, data: { registration: this.config.registrationOpen } };
  }
}

/** The original's shape: token in the Authorization header (read by the page's interceptor). */
function sessionResponse(session: Session, res: Response) {
  res.setHeader('Authorization', session.token);
  res.setHeader('Access-Control-Expose-Headers', 'Authorization');
  const { id, username } = session.user;
  return { status: 1, data: { id, username }, token: session.token };
}
