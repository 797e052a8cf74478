import type { DefaultJobOptions } from 'bullmq';

/** Delay before retry number `attemptsMade`: exponential from 500 ms, capped at 30 s, with jitter. */
export function retryDelayMs(attemptsMade: number, random: () => number = Math.random): number {
  const exponential = Math.min(30_000, 500 * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

/**
 * Jobs retry for well over ten minutes (a Postgres restart, a full disk) before they are parked in
 * the failed set, where they stay for inspection and can be retried by hand: nothing is deleted.
 */
export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 40,
  backoff: { type: 'custom' },
  removeOnComplete: true,
  removeOnFail: false,
};
