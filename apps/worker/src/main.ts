import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError } from '@app/config';
import { createWorkerApp } from './create-worker-app';

createWorkerApp()
  .then(() => new Logger('Lookout').log('worker consuming ingest-raw'))
  .catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  });
