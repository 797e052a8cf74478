/**
 * Bucket widths of time charts: parsing `5m`/`1h`/`1d`, choosing one for `auto`, and listing the
 * buckets of a range so empty ones can be filled with zeros. Pure: no Nest, no I/O.
 *
 * Buckets are aligned to ORIGIN (a Monday, 00:00 UTC), the same origin given to date_bin, so a
 * `1d` bucket starts at UTC midnight and a `7d` bucket on a Monday.
 */

export const BUCKET_ORIGIN = '2000-01-03T00:00:00Z';
const ORIGIN_MS = Date.parse(BUCKET_ORIGIN);

/** More buckets than this would make a chart unreadable and a response large. */
export const MAX_BUCKETS = 5000;

export class IntervalError extends Error {
  override name = 'IntervalError';
}

export interface BucketInterval {
  /** Canonical label, e.g. `5m`. */
  label: string;
  seconds: number;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** Widths `auto` picks from; neighbours differ by at most 2×, so a range gets 60–120 buckets. */
const NICE_SECONDS = [
  1, 2, 3, 5, 10, 15, 30, 60, 120, 180, 300, 600, 900, 1200, 1800, 3600, 7200, 10_800, 14_400,
  21_600, 28_800, 43_200, 86_400, 172_800, 259_200, 604_800, 1_209_600, 2_592_000,
];
const AUTO_MAX_BUCKETS = 120;

/** `30s`, `1m`, `5m`, `1h`, `1d`, `1w` → the interval; undefined for anything else. */
export function parseInterval(text: string): BucketInterval | undefined {
  const match = /^(\d{1,6})\s*([smhdw])$/i.exec(text.trim());
  if (!match) return undefined;
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2].toLowerCase()];
  return seconds > 0 ? { label: formatInterval(seconds), seconds } : undefined;
}

/**
 * The smallest nice width that gives fewer than 120 buckets over `spanMs`: as neighbours differ by
 * at most 2×, that is 60 or more (1 h → 1m, 24 h → 15m, 7 d → 2h).
 */
export function autoInterval(spanMs: number): BucketInterval {
  const seconds =
    NICE_SECONDS.find((width) => spanMs / (width * 1000) < AUTO_MAX_BUCKETS) ??
    NICE_SECONDS[NICE_SECONDS.length - 1];
  return { label: formatInterval(seconds), seconds };
}

/** `auto` (or nothing) → chosen for the span; otherwise parsed and checked against MAX_BUCKETS. */
export function resolveInterval(text: string | undefined, spanMs: number): BucketInterval {
  if (text === undefined || text === '' || text === 'auto') return autoInterval(spanMs);
  const interval = parseInterval(text);
  if (!interval) {
    throw new IntervalError(
      'interval must be auto or a number with a unit s, m, h, d or w (e.g. 30s, 5m, 1h, 1d)',
    );
  }
  const buckets = Math.ceil(spanMs / (interval.seconds * 1000));
  if (buckets > MAX_BUCKETS) {
    throw new IntervalError(
      `interval ${interval.label} gives ${buckets} buckets over this range; at most ${MAX_BUCKETS}: use a wider interval or auto`,
    );
  }
  return interval;
}

export function formatInterval(seconds: number): string {
  for (const [unit, size] of [
    ['w', 604_800],
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/** Start (ms) of the bucket holding `ms`, as date_bin computes it with BUCKET_ORIGIN. */
export function bucketStart(ms: number, seconds: number): number {
  const width = seconds * 1000;
  return ORIGIN_MS + Math.floor((ms - ORIGIN_MS) / width) * width;
}

/** Starts (ms) of every bucket that overlaps [from, to), oldest first. */
export function bucketStarts(from: Date, to: Date, seconds: number): number[] {
  const starts: number[] = [];
  const width = seconds * 1000;
  for (let start = bucketStart(from.getTime(), seconds); start < to.getTime(); start += width) {
    starts.push(start);
  }
  return starts;
}
