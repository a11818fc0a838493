import { Logger } from '@nestjs/common';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config/app-config.js';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  stopGracefullyOn(['SIGTERM', 'SIGINT'], () => app.close());
  const where = config.database.type === 'sqlite' ? `SQLite ${config.database.file}` : 'MySQL';
  Logger.log(`chat server on http://localhost:${config.port}/ (database: ${where})`, 'Main');
}

/** Seconds a stop may take before the process gives up waiting and exits anyway. */
const STOP_DEADLINE_MS = 10_000;

/**
 * On SIGTERM: stop (the chat gateway stores and acknowledges what is in flight, then tells
 * clients to reconnect) and exit 0; exit 1 if that takes longer than 10 s.
 */
function stopGracefullyOn(signals: NodeJS.Signals[], stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    Logger.log(`${signal}: stopping`, 'Main');
    setTimeout(() => {
      Logger.error('stop took longer than 10 s; exiting', 'Main');
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        Logger.error(error instanceof Error ? error.stack : String(error), 'Main');
        process.exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
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
