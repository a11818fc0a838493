import { Body, Controller, Get, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { AppConfig } from '../config/app-config.js';
import { AuthService, type Session } from './auth.service.js';
import { LoginDto, RegisterDto } from './dto/credentials.dto.js';
import { type AuthenticatedRequest, JwtGuard } from './jwt.guard.js';

@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly config: AppConfig,
  ) {}

  @Post('login')
  @HttpCode(200)
  async login(@Body() body: LoginDto, @Res({ passthrough: true }) res: Response) {
    return sessionResponse(await this.auth.login(body.username, body.password), res);
  }

  @Post('register')
  @HttpCode(201)
  async register(@Body() body: RegisterDto, @Res({ passthrough: true }) res: Response) {
    return sessionResponse(await this.auth.register(body.username, body.password), res);
  }

  @Get('userinfo')
  @UseGuards(JwtGuard)
  userinfo(@Req() req: AuthenticatedRequest) {
    return { status: 1, username: req.user.username };
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
  return { status: 1, data: session.user, token: session.token };
}
