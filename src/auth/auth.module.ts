import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { ConfigType } from '@nestjs/config';
import { UsersModule } from '../users/users.module.js';
import { authConfig } from './auth.config.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { JwtGuard } from './jwt.guard.js';
import { LoginThrottle } from './login-throttle.service.js';
import { RevokedToken } from './revoked-token.entity.js';
import { RevokedTokensRepository } from './revoked-tokens.repository.js';
import { SessionsService } from './sessions.service.js';
import { TokenService } from './token.service.js';

@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [authConfig.KEY],
      // A key made once: given a string, jsonwebtoken builds one (after trying it as a public
      // key) on every verify, which was the largest cost of a crowd connecting.
      useFactory: (config: ConfigType<typeof authConfig>) => ({
        secret: createSecretKey(Buffer.from(config.jwtSecret)),
      }),
    }),
    TypeOrmModule.forFeature([RevokedToken]),
    UsersModule,
  ],
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
