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
import type { Response } from 'express';
import type { ConfigType } from '@nestjs/config';
import { authConfig } from './auth.config.js';
import { AuthService } from './auth.service.js';
import type { Session } from './session.js';
import { LoginDto, LogoutDto, RegisterDto } from './dto/credentials.dto.js';
import { SessionsService } from './sessions.service.js';
import { type AuthenticatedRequest, JwtGuard } from './jwt.guard.js';

@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
  ) {}

  @Post('login')
  @HttpCode(200)
  async login(@Body() body: LoginDto, @Ip() ip: string, @Res({ passthrough: true }) res: Response) {
    return sessionResponse(await this.auth.login(body.username, body.password, ip), res);
  }

  @Post('register')
  @HttpCode(201)
  async register(
    @Body() body: RegisterDto,
    @Ip() ip: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return sessionResponse(await this.auth.register(body.username, body.password, ip), res);
  }

  @Get('userinfo')
  @UseGuards(JwtGuard)
  userinfo(@Req() req: AuthenticatedRequest) {
    return { status: 1, username: req.user.username };
  }

  /** Revokes the presented token, or with `{"all": true}` every token of the user. */
  @Post('logout')
  @HttpCode(200)
  @UseGuards(JwtGuard)
  async logout(@Req() req: AuthenticatedRequest, @Body() body: LogoutDto) {
    // No body at all (no Content-Type) means the same as {}.
    if (body?.all) await this.sessions.logoutEverywhere(req.user);
    else await this.sessions.logout(req.user);
    return { status: 1 };
  }

  /** What the login page needs to know before anyone logs in. */
  @Get('settings')
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
