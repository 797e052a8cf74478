import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import { JobName, QueueName, retryDelayMs, type JobPayloads } from '@app/queue';
import type { Job } from 'bullmq';
import { RawBatchStoreService, type StoreOutcome } from './raw-batch-store.service';

/** Thin: routes `ingest-raw` jobs to the store service and rethrows, so BullMQ retries. */
@Processor(QueueName.IngestRaw, {
  settings: { backoffStrategy: (attemptsMade: number) => retryDelayMs(attemptsMade) },
})
export class StoreRawBatchProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(StoreRawBatchProcessor.name);

  constructor(
    private readonly store: RawBatchStoreService,
    @Inject(LOOKOUT_CONFIG) private readonly config: LookoutConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.workerConcurrency;
  }

  async process(job: Job): Promise<StoreOutcome> {
    switch (job.name) {
      case JobName.StoreRawBatch:
        return this.store.storeBatch(job.data as JobPayloads[typeof JobName.StoreRawBatch]);
      default:
        throw new Error(`No handler for job "${job.name}" on queue ${QueueName.IngestRaw}`);
    }
  }

  // Failures are retried by BullMQ; log them so an operator sees a stuck database early.
  @OnWorkerEvent('failed')
  onFailed(job: Job, error: Error): void {
    this.logger.warn(`Batch ${job.id} failed (attempt ${job.attemptsMade}): ${error.message}`);
  }
}
