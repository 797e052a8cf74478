import { Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import type { ChannelConfig } from '../channels/channel-type';
import { SendFailure } from '../channels/channel-type';
import { ChannelTypes } from '../channels/channel-types';
import { DeliveryLog, type DeliveryRecord } from '../store/delivery-log';
import { DeliveryMetrics } from './delivery-metrics';

export type AttemptResult =
  | { ok: true; attempt: number; response: string; durationMs: number }
  | { ok: false; attempt: number; failure: SendFailure; durationMs: number };

/**
 * One attempt of one delivery, on the record: the channel's send, an attempt row (time, duration, outcome, error, SMTP reply or HTTP status) and `sent` on success. What
 * to do after a failure (retry or dead-letter) is the caller's decision.
 */
@Injectable()
export class DeliverySender {
  constructor(
    private readonly log: DeliveryLog,
    private readonly types: ChannelTypes,
    private readonly metrics: DeliveryMetrics,
  ) {}

  /** `delivery` was claimed (DeliveryLog.claim): its `attempts` counts this attempt. */
  async attempt(delivery: DeliveryRecord, channel: ChannelConfig): Promise<AttemptResult> {
    const attempt = delivery.attempts;
    const startedAt = new Date();
    const started = performance.now();
    try {
      const outcome = await this.types.get(channel.type).send(channel, {
        deliveryId: delivery.id,
        message: delivery.message,
        recipients: delivery.recipients,
      });
      const durationMs = performance.now() - started;
      await this.log.recordAttempt(delivery.id, {
        attempt,
        startedAt,
        durationMs,
        outcome: 'sent',
        error: null,
        response: outcome.response,
        httpStatus: outcome.httpStatus,
      });
      this.metrics.count(channel.type, 'sent');
      return { ok: true, attempt, response: outcome.response, durationMs };
    } catch (error) {
      const durationMs = performance.now() - started;
      const failure =
        error instanceof SendFailure
          ? error
          : new SendFailure((error as Error).message ?? String(error), { permanent: false });
      const outcome = failure.details.refused ? 'refused' : 'failed';
      await this.log.recordAttempt(delivery.id, {
        attempt,
        startedAt,
        durationMs,
        outcome,
        error: failure.message,
        response: failure.details.response ?? null,
        httpStatus: failure.details.httpStatus ?? null,
      });
      this.metrics.count(channel.type, outcome);
      return { ok: false, attempt, failure, durationMs };
    }
  }
}
