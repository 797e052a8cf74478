import { toLatencyMs } from '../parse-line';

const DECIMAL = /^\d+(?:\.\d+)?$/;

/**
 * Seconds as nginx writes them (`0.123`) to milliseconds. Shifting the decimal point in the text
 * (`0.123e3`) keeps the result exact: 0.123 * 1000 is 123.00000000000001 in floating point.
 */
export function secondsToMs(text: string): number | undefined {
  return DECIMAL.test(text) ? Number(`${text}e3`) : undefined;
}

/**
 * The total of a list of seconds as nginx logs one value per upstream try (`0.100, 0.004`, or
 * `0.1 : 0.2` across internal redirects); `-` entries are tries that got no answer.
 */
export function secondsListToMs(text: string): number | undefined {
  let total: number | undefined;
  for (const item of text.split(/[,:] ?| /)) {
    const ms = secondsToMs(item);
    if (ms !== undefined) total = (total ?? 0) + ms;
  }
  return total;
}

const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:h|m|s|ms|us|µs|ns))+$/;
const GO_DURATION_PART = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g;
const UNIT_MS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 1e-3,
  µs: 1e-3,
  ns: 1e-6,
};

/** A duration to ms: what toLatencyMs reads, plus Go's composite form (`1m30.5s`, `2h3m`). */
export function durationToMs(value: unknown): number | null {
  const simple = toLatencyMs(value);
  if (simple !== null || typeof value !== 'string' || !GO_DURATION.test(value)) return simple;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(GO_DURATION_PART)) total += +amount * UNIT_MS[unit];
  return total;
}
