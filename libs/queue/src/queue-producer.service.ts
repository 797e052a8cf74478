import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { JobName, QueueName } from './queue.constants';
import type { RawBatchPayload } from './queue.types';

/** The only way code puts work on a queue: typed by job name, job id = batch id. */
@Injectable()
export class QueueProducer {
  constructor(@InjectQueue(QueueName.IngestRaw) private readonly ingestRaw: Queue) {}

  /**
   * Enqueues raw batches in one Redis round trip. Resolves once Redis has them: that is the
   * moment an ingest request may be acknowledged. The batch id is the job id, so enqueueing the
   * same batch twice keeps one job.
   */
  async addRawBatches(batches: RawBatchPayload[]): Promise<void> {
    if (batches.length === 0) return;
    await this.ingestRaw.addBulk(
      batches.map((batch) => ({
        name: JobName.StoreRawBatch,
        data: batch,
        opts: { jobId: batch.batchId },
      })),
    );
  }

  /** Jobs not yet finished (waiting, delayed, running): what a test or benchmark waits to drain. */
  async pendingJobs(): Promise<number> {
    const counts = await this.ingestRaw.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  }

  async jobCounts(): Promise<Record<string, number>> {
    return this.ingestRaw.getJobCounts(
      'waiting',
      'active',
      'delayed',
      'failed',
      'completed',
      'prioritized',
    );
  }
}
