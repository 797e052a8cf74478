/**
 * Time ranges of analytics queries: absolute (ISO 8601) or relative (`now-24h`) bounds, a default
 * when none is given, and a cap on the span so one request cannot scan months of partitions.
 * Pure: no Nest, no I/O.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** The range used when neither `from` nor `to` is given: the last 24 hours. */
export const DEFAULT_SPAN_MS = DAY_MS;
/** The widest range an aggregation may cover. */
export const MAX_AGGREGATION_SPAN_MS = 31 * DAY_MS;
/** Exports stream row by row, so they may cover more. */
export const MAX_EXPORT_SPAN_MS = 366 * DAY_MS;

/** Thrown for a bound or range the caller must fix; the message says how. */
export class TimeRangeError extends Error {
  override name = 'TimeRangeError';
}

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: HOUR_MS,
  d: DAY_MS,
  w: 7 * DAY_MS,
};

const RELATIVE = /^now(?:\s*-\s*(\d{1,6})\s*([smhdw]))?$/i;
// A date, or a date and time with seconds optional, fraction optional, and a zone (or none = UTC).
const ABSOLUTE =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** True when `text` is a bound this module understands (for validation messages). */
export function isTimeExpression(text: string): boolean {
  return RELATIVE.test(text.trim()) || ABSOLUTE.test(text.trim());
}

/**
 * `now`, `now-15m`, `now-24h`, `now-7d`, `now-2w` (relative to `now`) or an ISO 8601 date/time
 * (UTC when it names no zone). Returns undefined for anything else.
 */
export function parseTimeExpression(text: string, now: Date): Date | undefined {
  const trimmed = text.trim();
  const relative = RELATIVE.exec(trimmed);
  if (relative) {
    const amount = relative[1] ? Number(relative[1]) * UNIT_MS[relative[2].toLowerCase()] : 0;
    return new Date(now.getTime() - amount);
  }
  if (!ABSOLUTE.test(trimmed) || !isCalendarDate(trimmed.slice(0, 10))) return undefined;
  let iso = trimmed.replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) iso += 'T00:00:00Z';
  else if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(iso)) iso += 'Z';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Refuses 2026-02-30, which Date would roll over to March. */
function isCalendarDate(text: string): boolean {
  const [year, month, day] = text.split('-').map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export interface TimeRange {
  from: Date;
  to: Date;
}

/**
 * Resolves the requested bounds: both given → as is; only `from` → up to now; only `to` → the
 * default span before it; none → the last 24 hours. The span must be positive and at most
 * `maxSpanMs`.
 */
export function resolveTimeRange(
  bounds: { from?: string; to?: string },
  now: Date,
  maxSpanMs: number,
): TimeRange {
  const parse = (name: 'from' | 'to'): Date | undefined => {
    const text = bounds[name];
    if (text === undefined || text === '') return undefined;
    const date = parseTimeExpression(text, now);
    if (!date) {
      throw new TimeRangeError(
        `${name} must be an ISO 8601 date-time (2026-11-21T10:00:00Z) or a relative time (now, now-15m, now-24h, now-7d)`,
      );
    }
    return date;
  };
  const from = parse('from');
  const to = parse('to');
  const end = to ?? (from && from > now ? new Date(from.getTime() + DEFAULT_SPAN_MS) : now);
  const start = from ?? new Date(end.getTime() - DEFAULT_SPAN_MS);
  if (start >= end) throw new TimeRangeError('from must be earlier than to');
  const span = end.getTime() - start.getTime();
  if (span > maxSpanMs) {
    throw new TimeRangeError(
      `The time range spans ${formatSpan(span)}; at most ${formatSpan(maxSpanMs)} can be queried at once: narrow from/to`,
    );
  }
  return { from: start, to: end };
}

function formatSpan(ms: number): string {
  if (ms >= DAY_MS) return `${Math.round((ms / DAY_MS) * 10) / 10} days`;
  if (ms >= HOUR_MS) return `${Math.round((ms / HOUR_MS) * 10) / 10} hours`;
  return `${Math.round(ms / 1000)} seconds`;
}
