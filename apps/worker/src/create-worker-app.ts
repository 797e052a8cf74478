import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { loadConfig, loggerOptions, useStructuredLogs } from '@app/config';
import { WorkerModule } from './worker.module';

/**
 * The worker process: an application context (no Nest HTTP; MetricsServer serves /metrics) whose
 * processors start consuming at init.
 */
export async function createWorkerApp(
  env?: Record<string, string | undefined>,
): Promise<INestApplicationContext> {
  const settings = loadConfig(env ?? process.env);
  const app = await NestFactory.createApplicationContext(
    WorkerModule.forRoot(env),
    loggerOptions(settings),
  );
  useStructuredLogs(app, settings);
  app.enableShutdownHooks();
  return app;
}
