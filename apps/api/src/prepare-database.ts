import type { LookoutConfig } from '@app/config';
import { dataSourceOptions, ensureDatabaseExists, runMigrationsLocked } from '@app/storage';
import { DataSource } from 'typeorm';

/**
 * Creates the database if needed and applies pending migrations (under the migration lock), then
 * closes its connection. `npm run migration:run` and the primary of API_PROCESSES run it once,
 * before any api process opens its own pool.
 */
export async function prepareDatabase(config: LookoutConfig): Promise<void> {
  await ensureDatabaseExists(config.databaseUrl);
  const dataSource = await new DataSource(dataSourceOptions(config)).initialize();
  try {
    await runMigrationsLocked(dataSource);
  } finally {
    await dataSource.destroy();
  }
}
