import { retryDelayMs } from '@app/queue';
import { DeliveryRetryPolicy, notificationBackoff, RetryLater } from './retry-policy';

describe('delivery retry policy', () => {
  const policy = new DeliveryRetryPolicy();

  it('doubles per attempt from the base, with half of each delay random', () => {
    expect([1, 2, 3, 4].map((attempt) => policy.delayMs(attempt, undefined, () => 1))).toEqual([
      10_000, 20_000, 40_000, 80_000,
    ]);
    expect([1, 2, 3, 4].map((attempt) => policy.delayMs(attempt, undefined, () => 0))).toEqual([
      5_000, 10_000, 20_000, 40_000,
    ]);
  });

  it('is capped, and honours a Retry-After up to the cap', () => {
    expect(policy.delayMs(30, undefined, () => 1)).toBe(600_000);
    expect(policy.delayMs(1, 45_000, () => 0)).toBe(45_000);
    expect(policy.delayMs(1, 3_600_000, () => 0)).toBe(600_000);
  });

  it('follows a smaller base (tests)', () => {
    const quick = new DeliveryRetryPolicy();
    quick.baseDelayMs = 20;
    expect(quick.delayMs(3, undefined, () => 1)).toBe(80);
  });

  it('gives BullMQ the delay a delivery decided, and the queue default otherwise', () => {
    expect(notificationBackoff(3, 'custom', new RetryLater('x', 1234))).toBe(1234);
    const fallback = notificationBackoff(2, 'custom', new Error('database down'));
    expect(fallback).toBeGreaterThanOrEqual(retryDelayMs(2, () => 0));
    expect(fallback).toBeLessThanOrEqual(retryDelayMs(2, () => 1));
  });
});
