import { Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createApp } from './app.js';
import { httpConfig } from './common/http.config.js';
import { ConfigError } from './config/environment.js';
import { DatabaseWatchdog } from './database/database-watchdog.service.js';
import { databaseConfig } from './database/database.config.js';
import { healthConfig } from './health/health.config.js';
import { ShutdownState } from './health/shutdown-state.js';

async function bootstrap(): Promise<void> {
  const app = await createApp(process.env);
  const { host, port } = app.get<ConfigType<typeof httpConfig>>(httpConfig.KEY);
  const { database } = app.get<ConfigType<typeof databaseConfig>>(databaseConfig.KEY);
  const { drainDelayMs } = app.get<ConfigType<typeof healthConfig>>(healthConfig.KEY);
  const shutdown = app.get(ShutdownState);
  await app.listen(port, host);
  const stop = stopGracefully(async (why, graceMs) => {
    // Readiness fails from now on, while everything is served as before for `graceMs`: the load
    // balancer stops sending new clients before the drain disconnects the current ones.
    shutdown.startDraining(why);
    if (graceMs > 0) await new Promise((resolve) => setTimeout(resolve, graceMs));
    await app.close();
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => stop(`${signal}: stopping`, 0, drainDelayMs));
  }
  // A dropped database or a removed SQLite file: stop, exit 1, and let a supervisor start us again.
  // At once: nothing can be served meanwhile.
  app.get(DatabaseWatchdog).onLost(() => stop('database gone: stopping', 1, 0));
  const where = database.type === 'sqlite' ? `SQLite ${database.file}` : 'MySQL';
  Logger.log(`chat server on http://localhost:${port}/ (database: ${where})`, 'Main');
}

/** Seconds a stop may take before the process gives up waiting and exits anyway. */
const STOP_DEADLINE_MS = 10_000;

/**
 * A stop (SIGTERM, or the database gone): readiness fails at once, then after `graceMs`
 * (DRAIN_DELAY_MS) the chat gateway stores and acknowledges what is in flight and tells clients
 * to reconnect; exit with `exitCode`, or 1 past 10 s (after the grace).
 */
function stopGracefully(
  close: (why: string, graceMs: number) => Promise<void>,
): (why: string, exitCode: number, graceMs: number) => void {
  let stopping = false;
  return (why, exitCode, graceMs) => {
    if (stopping) return;
    stopping = true;
    Logger.log(graceMs > 0 ? `${why} (draining in ${graceMs} ms)` : why, 'Main');
    setTimeout(() => {
      Logger.error('stop took longer than 10 s; exiting', 'Main');
      process.exit(1);
    }, graceMs + STOP_DEADLINE_MS).unref();
    close(why, graceMs).then(
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
