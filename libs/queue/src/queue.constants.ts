/**
 * Queue names are part of the stored state in Redis: never rename one without a migration plan.
 */
export const QueueName = {
  /** Raw lines from every source, in batches, waiting to be parsed and stored. */
  IngestRaw: 'ingest-raw',
  /** Alert transitions to announce, and the deliveries (one per channel) made for them. */
  Notifications: 'notifications',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const JobName = {
  /** A batch of raw lines: parse every line, COPY the batch into `logs` exactly once. */
  StoreRawBatch: 'store-raw-batch',
  /** An alert transition (`notifications` queue): route it to channels, one delivery each. */
  NotifyAlert: 'notify-alert',
  /** One delivery attempt series to one channel (`notifications` queue), retried with backoff. */
  Deliver: 'deliver',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

/** Redis pub/sub channel (after the key prefix) on which committed batches are announced. */
export const STORED_BATCH_CHANNEL = 'logs-stored';
/** Redis hash (after the key prefix) with pipeline counters shared by all processes. */
export const PIPELINE_STATS_KEY = 'stats:pipeline';
