import type { INestApplicationContext, LogLevel } from '@nestjs/common';
import { Logger as PinoNestLogger, LoggerModule } from 'nestjs-pino';
import type { LookoutConfig } from './config.schema';
import { nestLogLevels } from './config.schema';

/** Nest's level names mapped to pino's. */
const PINO_LEVEL: Record<LookoutConfig['logLevel'], string> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/**
 * Structured logs: with LOG_FORMAT=json (the default) every process writes one JSON object per
 * line through pino (`level`, `time`, `context`, `msg`, and `app` = api or worker); with `text`,
 * Nest's console logger. Requests are not logged one by one (ingest would drown the log).
 */
export function loggingModule(config: LookoutConfig, app: 'api' | 'worker') {
  return LoggerModule.forRoot({
    pinoHttp: {
      level: PINO_LEVEL[config.logLevel],
      autoLogging: false,
      base: { app, pid: process.pid },
      // Never write credentials that arrive in headers.
      redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
    },
  });
}

/** Nest's own logger options at creation: buffered until `useStructuredLogs` swaps pino in. */
export function loggerOptions(
  config: LookoutConfig,
): { bufferLogs: true } | { logger: LogLevel[] } {
  return config.logFormat === 'json'
    ? { bufferLogs: true }
    : { logger: nestLogLevels(config.logLevel) };
}

export function useStructuredLogs(app: INestApplicationContext, config: LookoutConfig): void {
  if (config.logFormat === 'json') app.useLogger(app.get(PinoNestLogger));
}
