import { Injectable } from '@nestjs/common';
import { retryDelayMs } from '@app/queue';

/** Thrown to BullMQ for a delivery to try again after `delayMs` (the processor's backoff reads it). */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
    this.name = 'RetryLater';
  }
}

/**
 * When a failed delivery is tried again: exponential from `baseDelayMs`, doubled per attempt, with
 * "equal jitter" (half fixed, half random, so retries from one outage spread out), capped at
 * `maxDelayMs`; a receiver's Retry-After is honoured up to the cap. Mutable so tests can shorten
 * the waits (`worker.get(DeliveryRetryPolicy).baseDelayMs = 20`).
 */
@Injectable()
export class DeliveryRetryPolicy {
  baseDelayMs = 10_000;
  maxDelayMs = 10 * 60_000;

  /** Delay after failed attempt number `attempt` (1 for the first). */
  delayMs(attempt: number, retryAfterMs?: number, random: () => number = Math.random): number {
    const exponential = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.max(0, attempt - 1));
    const jittered = exponential / 2 + (random() * exponential) / 2;
    return Math.round(Math.min(this.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0)));
  }
}

/**
 * BullMQ's custom backoff for the notifications queue: a delivery's delay comes with its error
 * (decided by DeliveryRetryPolicy); other jobs (notify-alert) back off like every queue.
 */
export function notificationBackoff(attemptsMade: number, _type?: string, error?: Error): number {
  return error instanceof RetryLater ? error.delayMs : retryDelayMs(attemptsMade);
}
