/*
 * The shape of the rollup tables (migrations/1763820000000-SearchRollups.ts): dimensions, measures
 * and the latency buckets. Pure: no Nest, no I/O.
 */

/**
 * Lower bounds (ms) of latency buckets 1…47, as width_bucket() takes them in log_latency_bucket();
 * bucket 0 holds everything below 0.5 ms, bucket 47 everything from 300 s. Neighbours differ by at
 * most 1.5× (1.2–1.33× from 10 ms to 60 s), which bounds the error of an interpolated percentile.
 */
export const LATENCY_BOUNDS: readonly number[] = [
  0.5, 1, 1.5, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100, 120, 150, 200, 250,
  300, 400, 500, 600, 800, 1000, 1200, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 8000, 10000, 12000,
  15000, 20000, 30000, 60000, 120000, 300000,
];

/** Histogram columns h00…h47: lines per latency bucket (NULL when none). */
export const HISTOGRAM_COLUMNS: readonly string[] = Array.from(
  { length: LATENCY_BOUNDS.length + 1 },
  (_, i) => `h${String(i).padStart(2, '0')}`,
);

/**
 * The columns a rollup row keeps of each line. They carry the names of the `logs` columns, so a
 * filter compiled for `logs` (compileQueryToSql) reads the same on a rollup row.
 */
export const ROLLUP_DIMENSIONS = [
  'source',
  'level',
  'host',
  'status_code',
  'method',
  'path',
] as const;

export const LATENCY_MEASURES = [
  'latency_count',
  'latency_sum',
  'latency_min',
  'latency_max',
  ...HISTOGRAM_COLUMNS,
] as const;

/** Every column of a rollup row, in table order (without `partial`). */
export const ROLLUP_COLUMNS = ['bucket', ...ROLLUP_DIMENSIONS, 'lines', ...LATENCY_MEASURES];

/** Bucket origin of date_bin() for rollups and charts: a Monday, 00:00 UTC. */
export const ROLLUP_ORIGIN = '2000-01-03T00:00:00Z';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/**
 * The latency bucket of a value, as width_bucket(value, LATENCY_BOUNDS) computes it: the number of
 * bounds at or below the value (a binary search).
 */
export function latencyBucket(value: number): number {
  let low = 0;
  let high = LATENCY_BOUNDS.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (LATENCY_BOUNDS[middle] <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}
