import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { JwtGuard } from './jwt.guard.js';
import { LoginThrottle } from './login-throttle.service.js';
import { RevokedToken } from './revoked-token.entity.js';
import { RevokedTokensRepository } from './revoked-tokens.repository.js';
import { SessionsService } from './sessions.service.js';
import { TokenService } from './token.service.js';

@Module({
  imports: [JwtModule.register({}), TypeOrmModule.forFeature([RevokedToken]), UsersModule],
  controllers: [AuthController],
  providers: [
    AuthService,
    TokenService,
    SessionsService,
    RevokedTokensRepository,
    LoginThrottle,
    JwtGuard,
  ],
  exports: [AuthService, SessionsService, JwtGuard],
})
export class AuthModule {}
