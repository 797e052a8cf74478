import 'reflect-metadata';
import { ConfigError, loadConfig } from '@app/config';
import { dataSourceOptions, ensureDatabaseExists, runMigrationsLocked } from '@app/storage';
import { DataSource } from 'typeorm';

/** `npm run migration:run`: creates the database if needed and applies pending migrations. */
async function migrate(): Promise<void> {
  const config = loadConfig();
  await ensureDatabaseExists(config.databaseUrl);
  const dataSource = await new DataSource(dataSourceOptions(config)).initialize();
  try {
    await runMigrationsLocked(dataSource);
    console.log('Migrations are up to date');
  } finally {
    await dataSource.destroy();
  }
}

migrate().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
