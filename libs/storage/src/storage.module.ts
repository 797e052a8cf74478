import { Module } from '@nestjs/common';
import { TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import { MIGRATIONS } from '@app/migrations';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { AnalyticsController, LogAnalyticsController } from './analytics/log-analytics.controller';
import { LogAnalyticsService } from './analytics/log-analytics.service';
import { LogExportService } from './analytics/log-export.service';
import { ReadTransactions } from './analytics/read-transaction.service';
import { ensureDatabaseExists, runMigrationsLocked } from './database';
import { LogSearchService } from './log-search.service';
import { LogsController } from './logs.controller';
import { LogWriter } from './log-writer.service';
import { PartitionManager } from './partition-manager.service';
import { PartitionScheduler } from './partition.scheduler';
import { SavedSearchEntity } from './saved-searches/saved-search.entity';
import { SavedSearchesController } from './saved-searches/saved-searches.controller';
import { SavedSearchesService } from './saved-searches/saved-searches.service';

export function dataSourceOptions(config: LookoutConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.databaseUrl,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    // One pool for TypeORM and COPY: workers hold one connection per concurrent batch.
    extra: { max: Math.max(10, config.workerConcurrency + 4), application_name: 'lookout' },
  };
}

/**
 * The database, ready before anything else starts: created if missing, migrated (under a lock, so
 * api and worker may start together), with today's partitions in place.
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [LOOKOUT_CONFIG],
      useFactory: (config: LookoutConfig): TypeOrmModuleOptions => ({
        ...dataSourceOptions(config),
        autoLoadEntities: true,
      }),
      dataSourceFactory: async (options) => {
        if (!options) throw new Error('no database options');
        await ensureDatabaseExists((options as { url: string }).url);
        const dataSource = await new DataSource(options).initialize();
        await runMigrationsLocked(dataSource);
        return dataSource;
      },
    }),
  ],
  providers: [LogWriter, LogSearchService, PartitionManager, ReadTransactions],
  exports: [TypeOrmModule, LogWriter, LogSearchService, PartitionManager, ReadTransactions],
})
export class StorageModule {
  constructor(private readonly partitions: PartitionManager) {}

  /**
   * Runs once the pool is up, before the app listens or consumes: the days lines are written to
   * now (back to PARTITION_DAYS_BACK, and tomorrow). The scheduled maintenance adds the days further
   * ahead, whose hour leaves take a moment to create.
   */
  async onModuleInit(): Promise<void> {
    await this.partitions.maintain(Date.now(), 1);
  }
}

/** The scheduled storage chores; imported by the worker only. */
@Module({
  imports: [StorageModule],
  providers: [PartitionScheduler],
})
export class StorageWorkerModule {}

/** The search API, aggregations and analytics, exports, saved searches. */
@Module({
  imports: [StorageModule, TypeOrmModule.forFeature([SavedSearchEntity])],
  // LogAnalyticsController before LogsController: both live under api/v1/logs (Fastify would
  // prefer the static paths anyway; the order keeps it obvious).
  controllers: [
    LogAnalyticsController,
    LogsController,
    AnalyticsController,
    SavedSearchesController,
  ],
  providers: [LogAnalyticsService, LogExportService, SavedSearchesService],
})
export class StorageApiModule {}
