import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { JobName, PIPELINE_STATS_KEY, QueueName } from './queue.constants';
import type { AlertNotification } from '@app/contracts';
import type { RawBatchPayload } from './queue.types';
import { RedisService } from './redis.service';

/** Puts raw batches and alert transitions on their queues, typed by job name (deliveries: notifications' DeliveryQueue). */
@Injectable()
export class QueueProducer {
  constructor(
    @InjectQueue(QueueName.IngestRaw) private readonly ingestRaw: Queue,
    @InjectQueue(QueueName.Notifications) private readonly notifications: Queue,
    private readonly redis: RedisService,
  ) {}

  /** Hands an alert transition to the notifications stage; its transition id is the job id. */
  async notifyAlert(notification: AlertNotification): Promise<void> {
    await this.notifications.add(JobName.NotifyAlert, notification, {
      jobId: notification.transitionId,
    });
  }

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
    // Monotonic counters: their ratio gives the mean batch size, used to estimate queued lines.
    const lines = batches.reduce((sum, batch) => sum + batch.lines.length, 0);
    await this.redis.client
      .multi()
      .hincrby(this.redis.key(PIPELINE_STATS_KEY), 'enqueued_jobs', batches.length)
      .hincrby(this.redis.key(PIPELINE_STATS_KEY), 'enqueued_lines', lines)
      .exec();
  }

  /** Lines waiting or being stored, estimated from job counts and the mean batch size. */
  async pendingLinesEstimate(): Promise<number> {
    const [jobs, [enqueuedJobs, enqueuedLines]] = await Promise.all([
      this.pendingJobs(),
      this.redis.client.hmget(
        this.redis.key(PIPELINE_STATS_KEY),
        'enqueued_jobs',
        'enqueued_lines',
      ),
    ]);
    const meanBatch = Number(enqueuedLines ?? 0) / Math.max(1, Number(enqueuedJobs ?? 0));
    return Math.round(jobs * meanBatch);
  }

  /** Jobs not yet finished (waiting, delayed, running): what a test or benchmark waits to drain. */
  async pendingJobs(): Promise<number> {
    const counts = await this.ingestRaw.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  }

  /** Job counts by state of one queue (default: ingest-raw), for /metrics. */
  async jobCounts(queue: QueueName = QueueName.IngestRaw): Promise<Record<string, number>> {
    const target = queue === QueueName.Notifications ? this.notifications : this.ingestRaw;
    return target.getJobCounts(
      'waiting',
      'active',
      'delayed',
      'failed',
      'completed',
      'prioritized',
    );
  }
}
