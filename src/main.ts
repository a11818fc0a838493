import { Logger } from '@nestjs/common';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config/app-config.js';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  const where = config.database.type === 'sqlite' ? `SQLite ${config.database.file}` : 'MySQL';
  Logger.log(`chat server on http://localhost:${config.port}/ (database: ${where})`, 'Main');
}

// A stray rejection is a bug to log, not a reason to drop every user's connection.
process.on('unhandledRejection', (reason) => {
  Logger.error(reason instanceof Error ? reason.stack : String(reason), 'UnhandledRejection');
});

bootstrap().catch((error: unknown) => {
  // A configuration error names the variable; print it alone, without a stack.
  const message =
    error instanceof ConfigError
      ? error.message
      : error instanceof Error
        ? error.stack
        : String(error);
  console.error(message);
  process.exit(1);
});
