import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import { createApiApp } from './create-api-app';

async function main(): Promise<void> {
  const app = await createApiApp();
  const config = app.get<LookoutConfig>(LOOKOUT_CONFIG);
  await app.listen(config.port, config.host);
  const base = `http://localhost:${config.port}`;
  new Logger('Lookout').log(
    `api listening: dashboard ${base}/  API ${base}/api/v1  Swagger ${base}/docs`,
  );
}

main().catch((error: unknown) => {
  // A bad configuration is the user's to fix: say what, without a stack trace.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
