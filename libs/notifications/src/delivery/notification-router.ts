import { Injectable, Logger } from '@nestjs/common';
import type { AlertNotification } from '@app/contracts';
import { ChannelStore, type StoredChannel } from '../store/channel-store';
import { DeliveryLog, type NewDelivery } from '../store/delivery-log';
import { DeliveryMetrics } from './delivery-metrics';
import { DeliveryQueue } from './delivery-queue';
import { FloodControl } from './flood-control';
import { MessageComposer } from './message-composer';

/** A summary is sent a moment after its window ends, when no delivery can join it any more. */
const SUMMARY_GRACE_MS = 250;

export interface RouteOutcome {
  channels: number;
  queued: number;
  suppressed: number;
  /** Deliveries this transition already had (a retried or repeated notify-alert job). */
  existing: number;
}

/**
 * Turns one alert transition into deliveries: which channels (the rule's, else by severity),
 * what each says (its template), whether the channel's rate limit lets it through, and a
 * `deliver` job per delivery. Idempotent per (transition, channel).
 */
@Injectable()
export class NotificationRouter {
  private readonly logger = new Logger(NotificationRouter.name);

  constructor(
    private readonly channels: ChannelStore,
    private readonly composer: MessageComposer,
    private readonly log: DeliveryLog,
    private readonly flood: FloodControl,
    private readonly queue: DeliveryQueue,
    private readonly metrics: DeliveryMetrics,
  ) {}

  async route(notification: AlertNotification): Promise<RouteOutcome> {
    const routed = await this.channels.routeFor(notification);
    const outcome: RouteOutcome = {
      channels: routed.length,
      queued: 0,
      suppressed: 0,
      existing: 0,
    };
    if (routed.length === 0) {
      this.logger.warn(
        `Alert "${notification.ruleName}" (${notification.severity}, transition ${notification.transitionId}) has no channel to go to`,
      );
      return outcome;
    }
    const input = this.composer.targetInput(notification.recipients ?? []);
    const toSend: string[] = [];
    for (const { channel, existing } of routed) {
      if (existing) {
        outcome.existing++;
        // The job may be gone if the process stopped between insert and enqueue; a second job
        // for a delivery already sent does nothing.
        if (existing.status === 'pending') toSend.push(existing.id);
        continue;
      }
      const { target, message } = await this.composer.alert(channel, notification, input);
      const delivery: NewDelivery = {
        kind: 'alert',
        channel,
        notification,
        target,
        message,
        maxAttempts: this.queue.maxAttempts,
      };
      if (await this.suppress(channel, delivery)) {
        outcome.suppressed++;
        continue;
      }
      const id = await this.log.insertPending(delivery);
      if (id === null) outcome.existing++;
      else {
        toSend.push(id);
        outcome.queued++;
      }
    }
    await this.queue.enqueueMany(toSend);
    return outcome;
  }

  /** True when the channel's rate limit held the delivery back for the window's summary. */
  private async suppress(channel: StoredChannel, delivery: NewDelivery): Promise<boolean> {
    if (!channel.rateLimit) return false;
    const decision = await this.flood.admit(channel.id, channel.rateLimit);
    if (decision.admitted) return false;
    const folded = await this.log.insertSuppressed(delivery, decision.windowStart);
    if (!folded) return false; // that window's summary is out already: send this one on its own
    await this.queue.enqueue(folded.summaryId, {
      delayMs: decision.windowEnd - Date.now() + SUMMARY_GRACE_MS,
    });
    this.metrics.count(channel.type, 'suppressed');
    return true;
  }
}
