export { RetentionApiModule, RetentionModule, RetentionWorkerModule } from './retention.module';
export { RetentionPolicyService } from './retention-policy.service';
export {
  RETENTION_LOCK_KEY,
  RetentionRuns,
  RunInProgressError,
  type RetentionTuning,
} from './retention-runs.service';
export { RetentionScheduler } from './retention.scheduler';
export { StorageEstimateService } from './storage-estimate.service';
export { estimateStorage, type EstimateInput } from './estimate';
export {
  ArchiveError,
  importArchive,
  listArchives,
  readManifest,
  verifyArchive,
  type ImportResult,
} from './archive-import';
export { main as archiveImportMain } from './archive-cli';
