import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError } from '@app/config';
import { createWorkerApp } from './create-worker-app';
import { MetricsServer } from './metrics-server.service';

createWorkerApp()
  .then((app) => {
    const metricsPort = app.get(MetricsServer).port;
    const metrics = metricsPort === undefined ? 'no /metrics' : `/metrics on port ${metricsPort}`;
    new Logger('Lookout').log(`worker consuming ingest-raw; ${metrics}`);
  })
  .catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  });
