import 'reflect-metadata';
import type { LogLevel } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { AppModule } from './app.module.js';
import type { Env } from './config/environment.js';
import { clientAddress, type TrustProxy } from './common/client-address.js';
import { AppValidationPipe } from './common/app-validation.pipe.js';
import { DepthLimitPipe } from './common/depth-limit.pipe.js';
import { HttpErrorFilter } from './common/http-error.filter.js';
import { httpConfig } from './common/http.config.js';
import { OriginPolicy } from './common/origin-policy.js';
import { projectRoot } from './common/project-root.js';
import { ChatIoAdapter } from './chat/chat-io.adapter.js';
import { plainMessage } from './chat/dto/plain-message.js';
import { isDatabaseUnavailable } from './database/database-errors.js';
import { httpLogging } from './logging/http-logging.js';
import { ROOT_LOGGER } from './logging/logging.constants.js';
import { PinoLoggerService } from './logging/pino-logger.service.js';
import { serveApiDocs } from './docs/api-docs.js';
import { docsConfig } from './docs/docs.config.js';
import { ChatMetrics } from './metrics/chat-metrics.js';
import { httpMetrics } from './metrics/http-metrics.middleware.js';
import { codeOf, ORIGIN_REFUSED } from './protocol/index.js';

/** Bigger bodies are refused with 413 before they are parsed. */
const BODY_LIMIT = '16kb';

export interface CreateAppOptions {
  /**
   * The tests' quiet mode: Nest's console logger at these levels, and no request or socket lines
   * unless the test's environment sets LOG_LEVEL. Unset: everything goes through pino.
   */
  logger?: LogLevel[] | false;
}

/**
 * The whole application on the environment `env`, configured but not listening (main.ts and the
 * e2e tests share it; a test passes its own environment).
 */
export async function createApp(
  env: Env = process.env,
  options: CreateAppOptions = {},
): Promise<NestExpressApplication> {
  const quiet = options.logger !== undefined;
  const appEnv = quiet && !env.LOG_LEVEL ? { ...env, LOG_LEVEL: 'silent' } : env;
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(appEnv), {
    logger: options.logger,
    // Nest's start-up lines wait for the pino logger, which the app's container makes.
    bufferLogs: !quiet,
    abortOnError: false,
    bodyParser: false,
    // Stopping must not wait for idle keep-alive connections.
    forceCloseConnections: true,
  });
  if (!quiet) app.useLogger(app.get(PinoLoggerService));
  app.disable('x-powered-by');
  // First, so that every request has its line, those refused below (origin, size) too.
  app.use(httpLogging(app.get(ROOT_LOGGER)));
  // First, so that every request is counted, those refused before routing too.
  app.use(httpMetrics(app.get(ChatMetrics)));
  app.useBodyParser('json', { limit: BODY_LIMIT });
  app.useBodyParser('urlencoded', { limit: BODY_LIMIT, extended: false });
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        // Only our own scripts and styles: the pages have no inline script or style.
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
    }),
  );
  const config = app.get<ConfigType<typeof httpConfig>>(httpConfig.KEY);
  const origins = new OriginPolicy(config.corsOrigins);
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (origins.isAllowed(req.headers.origin, req.headers.host)) return next();
    res.status(403).json({ status: 0, code: codeOf(ORIGIN_REFUSED), msg: ORIGIN_REFUSED });
  });
  if (config.corsOrigins.length > 0) {
    app.enableCors({ origin: config.corsOrigins, exposedHeaders: ['Authorization'] });
  }
  // Behind nginx every TCP peer is nginx: the client is found in X-Forwarded-For, for req.ip
  // (login limits) and the socket handshake (socket limits) alike, one setting for both.
  let socketAddress: ((req: IncomingMessage) => string) | undefined;
  if (config.trustProxy !== undefined) {
    app.set('trust proxy', config.trustProxy);
    // Express compiles the setting into 'trust proxy fn' (proxy-addr's), the one req.ip uses.
    const trust = app.getHttpAdapter().getInstance().get('trust proxy fn') as TrustProxy;
    socketAddress = (req) => clientAddress(req, trust);
  }
  app.useWebSocketAdapter(new ChatIoAdapter(app, origins, socketAddress));
  // The database's errors that mean "unavailable" (503) are the database layer's to know.
  app.useGlobalFilters(new HttpErrorFilter(isDatabaseUnavailable));
  // Chat messages that plainly pass their rules skip class-validator here and in the gateway.
  app.useGlobalPipes(new DepthLimitPipe(), new AppValidationPipe(plainMessage));
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
  if (app.get<ConfigType<typeof docsConfig>>(docsConfig.KEY).enabled) serveApiDocs(app, root);
  return app;
}
