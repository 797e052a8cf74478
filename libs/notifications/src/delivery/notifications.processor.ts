import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { JobName, QueueName, type JobPayloads } from '@app/queue';
import { UnrecoverableError, type Job } from 'bullmq';
import { DeliveryWorker } from './delivery-worker';
import { NotificationRouter } from './notification-router';
import { notificationBackoff, RetryLater } from './retry-policy';

/** Deliveries wait on SMTP servers and HTTP receivers, not on the CPU: many run at once. */
const NOTIFICATIONS_CONCURRENCY = 16;

/** Thin: routes `notifications` jobs to the router and the delivery worker, rethrows for BullMQ. */
@Processor(QueueName.Notifications, {
  concurrency: NOTIFICATIONS_CONCURRENCY,
  settings: { backoffStrategy: notificationBackoff },
})
export class NotificationsProcessor extends WorkerHost {
  private readonly logger = new Logger(NotificationsProcessor.name);

  constructor(
    private readonly router: NotificationRouter,
    private readonly deliveries: DeliveryWorker,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case JobName.NotifyAlert:
        return this.router.route(job.data as JobPayloads[typeof JobName.NotifyAlert]);
      case JobName.Deliver:
        return this.deliveries.deliver(
          (job.data as JobPayloads[typeof JobName.Deliver]).deliveryId,
          {
            jobAttempt: job.attemptsMade + 1,
            jobMaxAttempts: job.opts.attempts ?? 1,
          },
        );
      default:
        throw new Error(`No handler for job "${job.name}" on queue ${QueueName.Notifications}`);
    }
  }

  // Delivery failures are on record in the delivery log; routing failures only here.
  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, error: Error): void {
    if (error instanceof RetryLater || error instanceof UnrecoverableError) return;
    this.logger.warn(
      `Job ${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${error.message}`,
    );
  }
}
