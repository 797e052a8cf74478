import { Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { ChannelStore } from '../store/channel-store';
import { DeliveryLog } from '../store/delivery-log';
import { DeliveryMetrics } from './delivery-metrics';
import { DeliverySender } from './delivery-sender';
import { MessageComposer } from './message-composer';
import { DeliveryRetryPolicy, RetryLater } from './retry-policy';

export interface DeliverAttemptInfo {
  /** This job's attempt (1 for the first) and how many it may make. */
  jobAttempt: number;
  jobMaxAttempts: number;
}

export type DeliverResult = 'sent' | 'skipped';

/**
 * Handles a `deliver` job: renders a summary whose window is over, makes one attempt, and on
 * failure either schedules the next (RetryLater, delay from the retry policy) or dead-letters
 * the delivery with the reason (UnrecoverableError: BullMQ stops retrying).
 */
@Injectable()
export class DeliveryWorker {
  private readonly logger = new Logger(DeliveryWorker.name);

  constructor(
    private readonly log: DeliveryLog,
    private readonly channels: ChannelStore,
    private readonly sender: DeliverySender,
    private readonly composer: MessageComposer,
    private readonly policy: DeliveryRetryPolicy,
    private readonly metrics: DeliveryMetrics,
  ) {}

  async deliver(deliveryId: string, info: DeliverAttemptInfo): Promise<DeliverResult> {
    // The hot path is one statement; the rest runs when the claim says no, to find out why.
    const claimed = (await this.log.claim(deliveryId)) ?? (await this.prepare(deliveryId));
    if (!claimed) return 'skipped';
    const { delivery, channel } = claimed;
    const result = await this.sender.attempt(delivery, channel);
    if (result.ok) return 'sent';
    const { failure, attempt } = result;
    const lastJobAttempt = info.jobAttempt >= info.jobMaxAttempts;
    if (failure.details.permanent || lastJobAttempt || attempt >= delivery.maxAttempts) {
      const reason = failure.details.permanent
        ? `permanent failure: ${failure.message}`
        : `gave up after ${attempt} attempts: ${failure.message}`;
      return this.giveUp(deliveryId, channel.type, reason, failure.details.response ?? null);
    }
    const delayMs = this.policy.delayMs(attempt, failure.details.retryAfterMs);
    await this.log.markRetrying(
      deliveryId,
      failure.message,
      failure.details.response ?? null,
      new Date(Date.now() + delayMs),
    );
    throw new RetryLater(`delivery ${deliveryId} attempt ${attempt}: ${failure.message}`, delayMs);
  }

  /** Why a delivery could not be claimed: done already, channel gone or off, summary to render. */
  private async prepare(deliveryId: string): Promise<Awaited<ReturnType<DeliveryLog['claim']>>> {
    const delivery = await this.log.get(deliveryId);
    if (!delivery || ['sent', 'dead', 'suppressed'].includes(delivery.status)) return null;
    const channel = delivery.channelId ? await this.channels.find(delivery.channelId) : null;
    if (!channel) return this.giveUp(deliveryId, delivery.channelType, 'the channel was deleted');
    if (!channel.enabled) return this.giveUp(deliveryId, channel.type, 'the channel is disabled');
    if (delivery.kind === 'summary' && delivery.renderedAt === null) {
      const windowStart = delivery.summaryWindow ?? Date.now();
      await this.log.renderSummary(deliveryId, (suppressed) =>
        this.composer.summary(channel, windowStart, suppressed),
      );
    }
    return this.log.claim(deliveryId);
  }

  private async giveUp(
    deliveryId: string,
    channelType: string,
    reason: string,
    response: string | null = null,
  ): Promise<never> {
    await this.log.markDead(deliveryId, reason, response);
    this.metrics.count(channelType, 'dead');
    this.logger.warn(`Delivery ${deliveryId} is dead: ${reason}`);
    throw new UnrecoverableError(reason);
  }
}
