import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import { JobName, QueueName, type JobPayloads } from '@app/queue';
import type { JobsOptions, Queue } from 'bullmq';

function payload(deliveryId: string): JobPayloads[typeof JobName.Deliver] {
  return { deliveryId };
}

/** Finished or dead-lettered jobs are kept this long in Redis; the delivery log keeps the rest. */
const FAILED_JOB_AGE_SECONDS = 7 * 24 * 3600;

/**
 * Puts `deliver` jobs on the notifications queue: one job per delivery (job id from the delivery
 * id, so enqueueing twice keeps one), NOTIFY_MAX_ATTEMPTS attempts, backoff decided by the worker.
 */
@Injectable()
export class DeliveryQueue {
  constructor(
    @InjectQueue(QueueName.Notifications) private readonly queue: Queue,
    @Inject(LOOKOUT_CONFIG) private readonly config: LookoutConfig,
  ) {}

  get maxAttempts(): number {
    return this.config.notifyMaxAttempts;
  }

  /** `round` makes a new job for a delivery sent again by hand (the old job id may still exist). */
  async enqueue(
    deliveryId: string,
    options: { delayMs?: number; round?: string } = {},
  ): Promise<void> {
    await this.queue.add(
      JobName.Deliver,
      payload(deliveryId),
      this.jobOptions(deliveryId, options),
    );
  }

  /** Several deliveries in one Redis round trip. */
  async enqueueMany(deliveryIds: string[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.queue.addBulk(
      deliveryIds.map((id) => ({
        name: JobName.Deliver,
        data: payload(id),
        opts: this.jobOptions(id),
      })),
    );
  }

  private jobOptions(
    deliveryId: string,
    options: { delayMs?: number; round?: string } = {},
  ): JobsOptions {
    return {
      jobId: `delivery-${deliveryId}${options.round ? `-${options.round}` : ''}`,
      attempts: this.config.notifyMaxAttempts,
      backoff: { type: 'custom' },
      delay: Math.max(0, Math.round(options.delayMs ?? 0)),
      removeOnComplete: true,
      removeOnFail: { age: FAILED_JOB_AGE_SECONDS },
    };
  }

  /** Notification jobs not yet finished (waiting, delayed, running): what tests and benchmarks wait on. */
  async pending(): Promise<number> {
    const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  }
}
