import 'reflect-metadata';
import { BadRequestException, type LogLevel, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { join } from 'node:path';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { HttpErrorFilter } from './common/http-error.filter.js';
import { projectRoot } from './common/project-root.js';

export interface CreateAppOptions {
  logger?: LogLevel[] | false;
}

/** The whole application, configured but not listening (main.ts and the e2e tests share it). */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), {
    logger: options.logger ?? ['log', 'warn', 'error'],
    abortOnError: false,
  });
  app.disable('x-powered-by');
  app.useGlobalFilters(new HttpErrorFilter());
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) =>
        new BadRequestException(
          errors
            .map((e) => Object.values(e.constraints ?? {})[0] ?? `${e.property} is invalid`)
            .join('; '),
        ),
    }),
  );
  const root = projectRoot();
  app.useStaticAssets(join(root, 'public'), { index: false });
  // The pages load axios and the socket.io client from us, never from a CDN.
  app.useStaticAssets(join(root, 'node_modules/axios/dist'), {
    prefix: '/vendor/axios/',
    index: false,
  });
  app.useStaticAssets(join(root, 'node_modules/socket.io/client-dist'), {
    prefix: '/vendor/socket.io/',
    index: false,
  });
  return app;
}
