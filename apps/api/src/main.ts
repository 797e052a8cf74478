import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig, LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { announceListening, ensureMetricsResponder, runApiCluster } from './api-cluster';
import { createApiApp } from './create-api-app';

async function main(): Promise<void> {
  // Validated once, before anything is forked: a bad value stops the start with one message.
  const settings = loadConfig();
  if (cluster.isPrimary && settings.apiProcesses > 1) {
    await runApiCluster(settings);
    return;
  }
  ensureMetricsResponder();
  const app = await createApiApp();
  const config = app.get<LookoutConfig>(LOOKOUT_CONFIG);
  await app.listen(config.port, config.host);
  const port = (app.getHttpServer().address() as AddressInfo).port; // PORT=0: the one given
  if (cluster.isWorker) {
    // The primary prints the banner once every process is up.
    announceListening(port);
    return;
  }
  const base = `http://localhost:${port}`;
  new Logger('Lookout').log(
    `api listening: dashboard ${base}/  API ${base}/api/v1  Swagger ${base}/docs`,
  );
}

main().catch((error: unknown) => {
  // A bad configuration is the user's to fix: say what, without a stack trace.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
