import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import { JobName, QueueName, retryDelayMs, type JobPayloads } from '@app/queue';
import { DelayedError, type Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { RawBatchStoreService, type StoreOutcome } from './raw-batch-store.service';
import { StoreBatchMetrics } from './store-batch.metrics';
import { isStorageUnavailable, probeLogWrite, StoreHealth } from './store-health';

/**
 * Thin: routes `ingest-raw` jobs to the store service and rethrows, so BullMQ retries. When the
 * database cannot write, the batch goes back to the queue (no attempt used) and the worker pauses
 * until a probe write succeeds (see StoreHealth).
 */
@Processor(QueueName.IngestRaw, {
  settings: { backoffStrategy: (attemptsMade: number) => retryDelayMs(attemptsMade) },
})
export class StoreRawBatchProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(StoreRawBatchProcessor.name);
  private readonly metrics = StoreBatchMetrics.get();
  readonly health: StoreHealth;

  constructor(
    private readonly store: RawBatchStoreService,
    @Inject(LOOKOUT_CONFIG) private readonly config: LookoutConfig,
    @InjectDataSource() dataSource: DataSource,
  ) {
    super();
    this.health = new StoreHealth({
      probe: () => probeLogWrite(dataSource),
      // true: do not wait for the jobs in progress; they fail on storage too and are put back.
      pause: () => this.worker.pause(true),
      resume: async () => this.worker.resume(),
      logger: this.logger,
    });
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.workerConcurrency;
  }

  onApplicationShutdown(): void {
    this.health.stop();
  }

  async process(job: Job, token?: string): Promise<StoreOutcome> {
    switch (job.name) {
      case JobName.StoreRawBatch: {
        let outcome: StoreOutcome;
        try {
          outcome = await this.store.storeBatch(
            job.data as JobPayloads[typeof JobName.StoreRawBatch],
          );
        } catch (error) {
          if (!token || !isStorageUnavailable(error)) throw error;
          this.health.reportUnavailable(error);
          await job.moveToDelayed(Date.now() + this.health.retryDelayMs, token);
          this.metrics.count('requeued');
          throw new DelayedError();
        }
        this.metrics.recordDone(outcome);
        return outcome;
      }
      default:
        throw new Error(`No handler for job "${job.name}" on queue ${QueueName.IngestRaw}`);
    }
  }

  // Failures are retried by BullMQ; log them so an operator sees a stuck database early. Counted
  // here rather than in process(): this event is every attempt BullMQ records as failed.
  @OnWorkerEvent('failed')
  onFailed(job: Job, error: Error): void {
    this.metrics.count('failed');
    this.logger.warn(`Batch ${job.id} failed (attempt ${job.attemptsMade}): ${error.message}`);
  }
}
