export {
  StorageApiModule,
  StorageModule,
  StorageWorkerModule,
  dataSourceOptions,
} from './storage.module';
export { LogWriter, type WriteResult } from './log-writer.service';
export { LogSearchService, type LogSearchFilter } from './log-search.service';
export {
  PARTITION_LOCK_KEY,
  PartitionManager,
  partitionName,
  utcDayStart,
  type PartitionInfo,
} from './partition-manager.service';
export { deleteRollups, rebuildRollups, type RollupDatabase } from './rollups/rollup-maintenance';
export { decodeCursor, encodeCursor, type LogCursor } from './log-cursor';
export { ensureDatabaseExists, runMigrationsLocked } from './database';
export { formatTimestamp } from './copy-encoding';
export type { NewLogRow, TailCheckpoint } from './log-row';
export * from './query';
export {
  QueryTimeoutError,
  ReadTransaction,
  ReadTransactions,
} from './analytics/read-transaction.service';
