// Sliding windows as time buckets, baselines as EWMA, window statistics. The streaming state in
// Redis (window-store.lua) and the backtest follow these definitions. Pure.
import type { AnomalyStatistic } from '@app/contracts';
import type { Baseline } from './rule-type';

/** A window never has more buckets than this: summing it stays cheap on every batch. */
export const MAX_BUCKETS_PER_WINDOW = 60;

export interface WindowLayout {
  bucketMs: number;
  /** Buckets in one window. */
  buckets: number;
  /** buckets × bucketMs: at least the requested window, at most one bucket more. */
  windowMs: number;
}

/**
 * Buckets of whole seconds, at most 60 per window: a 1 min window slides by the second, a 5 min
 * window by 5 s, a 1 h window by the minute. A window covers the current (partial) bucket and the
 * buckets - 1 before it.
 */
export function windowLayout(windowMs: number): WindowLayout {
  const seconds = Math.max(1, Math.ceil(windowMs / 1000));
  const bucketSeconds = Math.ceil(seconds / MAX_BUCKETS_PER_WINDOW);
  const buckets = Math.ceil(seconds / bucketSeconds);
  return { bucketMs: bucketSeconds * 1000, buckets, windowMs: buckets * bucketSeconds * 1000 };
}

/** Start (ms) of the window that ends at `now`: the first bucket it counts. */
export function windowStart(layout: WindowLayout, now: number): number {
  return (Math.floor(now / layout.bucketMs) - layout.buckets + 1) * layout.bucketMs;
}

/**
 * Folds one window's sample into an EWMA mean and variance (the incremental form of Finch,
 * "Incremental calculation of weighted mean and variance", 2009). The first sample sets the mean.
 */
export function foldBaseline(baseline: Baseline | null, sample: number, alpha: number): Baseline {
  if (baseline === null || baseline.samples === 0) return { mean: sample, variance: 0, samples: 1 };
  const diff = sample - baseline.mean;
  const increment = alpha * diff;
  return {
    mean: baseline.mean + increment,
    variance: (1 - alpha) * (baseline.variance + diff * increment),
    samples: baseline.samples + 1,
  };
}

/** At most this many empty windows are folded one by one; after that the baseline has converged. */
export const MAX_EMPTY_FOLDS = 1000;

/** The statistic of a window's values (nearest-rank percentiles); null without values. */
export function statistic(values: number[], kind: AnomalyStatistic): number | null {
  if (values.length === 0) return null;
  if (kind === 'avg') return values.reduce((sum, value) => sum + value, 0) / values.length;
  const sorted = [...values].sort((a, b) => a - b);
  if (kind === 'max') return sorted[sorted.length - 1];
  const rank = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 }[kind];
  return sorted[Math.max(0, Math.ceil(rank * sorted.length) - 1)];
}

/** Values a group keeps per window for its statistic (the newest, when more arrive). */
export const MAX_VALUES_PER_GROUP = 5000;
