import { Logger } from '@nestjs/common';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config/app-config.js';
import { DatabaseWatchdog } from './database/database-watchdog.service.js';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const stop = stopGracefully(() => app.close());
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => stop(`${signal}: stopping`, 0));
  }
  // A dropped database or a removed SQLite file: stop, exit 1, and let a supervisor start us again.
  app.get(DatabaseWatchdog).onLost(() => stop('database gone: stopping', 1));
  const where = config.database.type === 'sqlite' ? `SQLite ${config.database.file}` : 'MySQL';
  Logger.log(`chat server on http://localhost:${config.port}/ (database: ${where})`, 'Main');
}

/** Seconds a stop may take before the process gives up waiting and exits anyway. */
const STOP_DEADLINE_MS = 10_000;

/**
 * A stop (SIGTERM, or the database gone): the chat gateway stores and acknowledges what is in
 * flight, then tells clients to reconnect; exit with `exitCode`, or 1 past 10 s.
 */
function stopGracefully(close: () => Promise<void>): (why: string, exitCode: number) => void {
  let stopping = false;
  return (why, exitCode) => {
    if (stopping) return;
    stopping = true;
    Logger.log(why, 'Main');
    setTimeout(() => {
      Logger.error('stop took longer than 10 s; exiting', 'Main');
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    close().then(
      () => process.exit(exitCode),
      (error: unknown) => {
        Logger.error(error instanceof Error ? error.stack : String(error), 'Main');
        process.exit(1);
      },
    );
  };
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
