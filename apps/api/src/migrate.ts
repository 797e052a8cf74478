import 'reflect-metadata';
import { ConfigError, loadConfig } from '@app/config';
import { prepareDatabase } from './prepare-database';

/** `npm run migration:run`: creates the database if needed and applies pending migrations. */
async function migrate(): Promise<void> {
  await prepareDatabase(loadConfig());
  console.log('Migrations are up to date');
}

migrate().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
