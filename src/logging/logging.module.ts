import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Logger } from 'pino';
import { redisConfig } from '../redis/redis.config.js';
import { ROOT_LOGGER } from './logging.constants.js';
import { loggingConfig } from './logging.config.js';
import { PinoLoggerService } from './pino-logger.service.js';
import { createRootLogger } from './root-logger.js';

/**
 * The process's pino logger (inject it with `@Inject(ROOT_LOGGER)`) for the request and socket
 * lines, and Nest's LoggerService over it (createApp makes it the app's logger).
 */
@Global()
@Module({
  providers: [
    {
      provide: ROOT_LOGGER,
      inject: [loggingConfig.KEY, redisConfig.KEY],
      useFactory: (
        logging: ConfigType<typeof loggingConfig>,
        redis: ConfigType<typeof redisConfig>,
      ): Promise<Logger> => createRootLogger({ ...logging, instance: redis.instanceId }),
    },
    {
      provide: PinoLoggerService,
      inject: [ROOT_LOGGER],
      useFactory: (logger: Logger) => new PinoLoggerService(logger),
    },
  ],
  exports: [ROOT_LOGGER, PinoLoggerService],
})
export class LoggingModule {}
