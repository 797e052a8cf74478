export { QueueModule } from './queue.module';
export { QueueProducer } from './queue-producer.service';
export { RedisService } from './redis.service';
export { redisOptionsFromUrl } from './redis-connection';
export { DEFAULT_JOB_OPTIONS, retryDelayMs } from './queue-options';
export { JobName, PIPELINE_STATS_KEY, QueueName, STORED_BATCH_CHANNEL } from './queue.constants';
export type {
  DeliverPayload,
  FileCheckpoint,
  JobPayloads,
  RawBatchPayload,
  RawLine,
} from './queue.types';
export { StoredBatchBus, type StoredBatchListener } from './stored-batch-bus';
