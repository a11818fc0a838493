import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';

type PinoMethod = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Nest's LoggerService over pino: `new Logger(X.name).warn(...)` and Nest's own start-up lines
 * become JSON lines with `context`. Nest calls `error(message, stack?, context?)` and the others
 * `method(message, ...params, context?)`: the context comes last when there is one.
 */
export class PinoLoggerService implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    const context = params.length > 1 ? params.at(-1) : undefined;
    const stack = params.length > 0 ? params[0] : undefined;
    const fields: Record<string, unknown> = {};
    if (typeof context === 'string') fields.context = context;
    else if (params.length === 1 && typeof stack === 'string' && !stack.includes('\n'))
      fields.context = stack;
    if (typeof stack === 'string' && stack.includes('\n')) fields.stack = stack;
    this.emit('error', message, fields);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  private write(level: PinoMethod, message: unknown, params: unknown[]): void {
    const context = params.at(-1);
    this.emit(level, message, typeof context === 'string' ? { context } : {});
  }

  private emit(level: PinoMethod, message: unknown, fields: Record<string, unknown>): void {
    if (message instanceof Error) this.logger[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null)
      this.logger[level]({ ...fields, ...message });
    else this.logger[level](fields, String(message));
  }
}
