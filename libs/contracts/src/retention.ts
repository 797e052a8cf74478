// REST shapes of retention policies, the retention log and storage estimates (issue: retention).

/** A shorter maximum age for the lines of one source. */
export interface SourceRetention {
  source: string;
  /** Lines of this source older than this many days are deleted (must be under the global age). */
  maxAgeDays: number;
}

/** The retention policy (one per installation). `null` turns a limit off. */
export interface RetentionPolicy {
  /** Days of history kept; whole days older than this are dropped. Null: kept forever. */
  maxAgeDays: number | null;
  /** Shorter ages for some sources. */
  sources: SourceRetention[];
  /** Upper bound of the log data on disk (bytes); the oldest data goes first. Null: no bound. */
  diskBudgetBytes: number | null;
  /** Export data to ARCHIVE_DIR (gzip NDJSON + manifest) before it is removed. */
  archive: boolean;
  /** Where archives are written (ARCHIVE_DIR), for information. */
  archiveDir: string;
  /** Minutes between scheduled runs (the disk budget is also checked every minute). */
  intervalMinutes: number;
  updatedAt: string;
}

/** PUT body: properties left out keep their value; `null` turns a limit off. */
export interface UpdateRetentionPolicyRequest {
  maxAgeDays?: number | null;
  sources?: SourceRetention[];
  diskBudgetBytes?: number | null;
  archive?: boolean;
  intervalMinutes?: number;
}

export const RETENTION_ACTIONS = ['drop-partition', 'delete-rows', 'import-archive'] as const;
/** What was done: a whole day dropped, rows deleted in batches, or an archive imported. */
export type RetentionActionKind = (typeof RETENTION_ACTIONS)[number];

export const RETENTION_REASONS = ['max-age', 'source-max-age', 'disk-budget', 'restore'] as const;
export type RetentionReason = (typeof RETENTION_REASONS)[number];

/** One entry of the retention log. */
export interface RetentionAction {
  /** Decimal string (64-bit). */
  id: string;
  at: string;
  runId: string | null;
  action: RetentionActionKind;
  reason: RetentionReason;
  /** The partition (day table) or leaf it concerned, e.g. `logs_p20261101`. */
  partition: string | null;
  /** Set for per-source deletes. */
  source: string | null;
  /** Time range of the lines concerned: [from, to). */
  from: string | null;
  to: string | null;
  rows: number;
  /** Bytes given back to the disk (0 when the space is only reusable inside the table). */
  bytesFreed: number;
  /** Manifest of the archive written before the data went (or imported from). */
  archivePath: string | null;
  durationMs: number;
}

export interface RetentionLogPage {
  items: RetentionAction[];
  /** Pass as `before` for older entries; null on the last page. */
  nextBefore: string | null;
}

export type RetentionRunStatus = 'running' | 'done' | 'failed' | 'interrupted';
export type RetentionRunTrigger = 'schedule' | 'manual' | 'budget';

/** Where a run is; updated while it works. */
export interface RetentionRunProgress {
  phase: 'starting' | 'max-age' | 'source-max-age' | 'disk-budget' | 'finished';
  /** What it is doing now, in words. */
  step: string;
  actions: number;
  rowsDeleted: number;
  bytesFreed: number;
  /** Set while deleting in batches: rows deleted so far in the current step. */
  stepRows?: number;
  /** Things left for a later run (a partition busy with a lock, …). */
  skipped: string[];
}

export interface RetentionRun {
  id: string;
  trigger: RetentionRunTrigger;
  /** User or API key that asked for a manual run. */
  requestedBy: string | null;
  status: RetentionRunStatus;
  startedAt: string;
  finishedAt: string | null;
  progress: RetentionRunProgress;
  error: string | null;
  /** Bytes of log data when the run ended, and the budget then (to see whether it held). */
  totalBytesAfter: number | null;
  /** The actions of the run (in GET /runs/:id and the answer of POST /run). */
  actions?: RetentionAction[];
}

/** Size of one day of logs. */
export interface DayUsage {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  partition: string;
  bytes: number;
  /** From the planner's statistics: approximate. */
  rowsEstimate: number | null;
}

export interface StorageEstimate {
  /** Everything the log partitions take on disk (tables, indexes, TOAST). */
  totalBytes: number;
  diskBudgetBytes: number | null;
  maxAgeDays: number | null;
  /** Per day, newest first. */
  days: DayUsage[];
  /** Lines without a day partition (far past or future timestamps). */
  defaultPartitionBytes: number;
  /** Time of the oldest stored line, and how many days back that is. */
  oldestLine: string | null;
  historyDays: number | null;
  /** Mean size of the last (up to 7) complete days that hold data. */
  bytesPerDay: number | null;
  /** Growth at the current ingest rate: today so far, extrapolated to a whole day. */
  ingestBytesPerDay: number | null;
  /** Lines per second over the last 5 minutes (event time). */
  ingestLinesPerSecond: number;
  /** Days of history the budget holds at the current ingest rate. */
  budgetDaysOfHistory: number | null;
  /** Days until the data reaches the budget at the current ingest rate (0: over it now). */
  daysUntilBudgetFull: number | null;
  /** Days of history kept under the policy: the smaller of the age and what the budget holds. */
  expectedHistoryDays: number | null;
}

/** The manifest written next to every archive file. */
export interface ArchiveManifest {
  format: 'lookout-archive';
  version: 1;
  /** Unique; the file names are `<id>.ndjson.gz` and `<id>.manifest.json`. */
  id: string;
  /** Data file name, in the manifest's directory. */
  file: string;
  /** SHA-256 (hex) of the compressed data file. */
  sha256: string;
  compressedBytes: number;
  rows: number;
  /** Times of the first and last line archived (null when empty). */
  minTs: string | null;
  maxTs: string | null;
  /** The selection that was archived: [from, to) in event time. */
  from: string | null;
  to: string | null;
  partition: string | null;
  source: string | null;
  reason: RetentionReason;
  runId: string | null;
  createdAt: string;
  /** Keys of each line's JSON object: the `logs` columns when it was written (`id` is a string). */
  columns: string[];
}

/** GET /archives: the archives in ARCHIVE_DIR. */
export interface ArchiveListItem {
  id: string;
  manifestPath: string;
  rows: number;
  compressedBytes: number;
  minTs: string | null;
  maxTs: string | null;
  partition: string | null;
  source: string | null;
  reason: RetentionReason;
  createdAt: string;
  /** When it was imported back into this database, if it was. */
  importedAt: string | null;
}
