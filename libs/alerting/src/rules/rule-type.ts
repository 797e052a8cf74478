// The contract between the rule types (one file each, registered in rule-types.ts) and the code that
// runs them: the streaming evaluator (Redis windows), the tick, and the backtest (SQL buckets).
// Pure: no Nest, no I/O.
import type { AlertComparison, AlertRuleType, AnomalyStatistic, LogRecord } from '@app/contracts';
import type { GroupField } from './group-by';

/**
 * How a track keeps its per-group state:
 * - `count`: matching lines per time bucket, summed over a sliding window;
 * - `event`: lines since the group's last alert closed, and when the latest came (bursts);
 * - `values`: a number field's values over the window, reduced to a statistic.
 */
export type TrackKind = 'count' | 'event' | 'values';

/** Which lines feed a track, and how they are grouped. */
export type TrackLines =
  /** Every line matching the rule's query, grouped by the rule's groupBy. */
  | 'matching'
  /** Lines that created a never-seen log template, grouped by source. */
  | 'new-template'
  /** Every matching line, grouped by source and log template. */
  | 'template';

/** A learned baseline: EWMA mean and variance of one sample per window. */
export interface Baseline {
  mean: number;
  variance: number;
  /** Windows folded in so far. */
  samples: number;
}

/** What the state of one group says at one moment; the input of a verdict. */
export interface Measurement {
  now: number;
  /** The window the value was measured over (ms since the epoch). */
  windowStart: number;
  windowEnd: number;
  /** count: lines in the window; event: lines since the last close; values: values in the window. */
  count: number;
  /** values: the statistic of the window; null without values. */
  stat: number | null;
  /** The learned baseline, when the track learns one. */
  baseline: Baseline | null;
  /** First and latest line of this group (ms); null when never seen. */
  firstSeen: number | null;
  lastSeen: number | null;
  /** When the rule (its current revision) started being evaluated. */
  activeSince: number;
}

/** What a rule concludes about one group at one moment. */
export interface Verdict {
  breaching: boolean;
  /** The observed value (count, rate, statistic…). */
  value: number;
  /** What it is compared with; null when there is no single number (bursts). */
  threshold: number | null;
  comparison: AlertComparison | null;
  /** One sentence saying what was measured, for people. */
  reason: string;
}

/** What a verdict may mention besides the measurement. */
export interface VerdictContext {
  /** The rule's query as written ('' matches every line). */
  query: string;
  /** `host=web-1`; empty for an ungrouped rule. */
  groupKey: string;
  /** The template of a template track's group, when known. */
  template?: string;
}

/** One stream of per-group state a rule keeps, and how a verdict is drawn from it. */
export interface TrackSpec {
  /** Unique within the rule; part of state keys and alert identity. */
  name: string;
  kind: TrackKind;
  lines: TrackLines;
  /** Length of the evaluation window (count and values tracks), or the coalescing gap (event). */
  windowMs: number;
  /** Learn an EWMA baseline (one sample per window) with this weight. */
  baseline?: { alpha: number };
  /** values tracks: the number read from a line, and the statistic of a window. */
  value?: { read: (record: LogRecord) => number | null; statistic: AnomalyStatistic };
  /** Groups without new lines are evaluated by the tick too (absence, "<" thresholds, drops). */
  evaluateIdle: boolean;
  /** A group with no line for this long is forgotten. */
  forgetAfterMs: number;
  /** event tracks: an alert closes after this long or this many lines; the next line opens another. */
  event?: { maxHoldMs: number; maxEntries: number };
  verdict(measurement: Measurement, context: VerdictContext): Verdict;
}

/** Rule-level settings a type may check its settings against. */
export interface RuleShape {
  groupBy: GroupField[];
  forSeconds: number;
}

export interface RuleTypeDefinition<S extends object = object> {
  readonly type: AlertRuleType;
  /** Validated settings with defaults filled in; throws RuleSettingsError naming the setting. */
  parseSettings(raw: Record<string, unknown>, rule: RuleShape): S;
  /** The state a rule of this type keeps, and its verdicts. */
  tracks(settings: S, rule: RuleShape): TrackSpec[];
}

/** A setting a client must fix: the message names it and says what is allowed. */
export class RuleSettingsError extends Error {
  override readonly name = 'RuleSettingsError';
}

/** Compares `value` with `threshold`. */
export function compare(value: number, operator: AlertComparison, threshold: number): boolean {
  switch (operator) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
  }
}

/** The comparison that holds when `compare(…, operator, …)` does not (for resolved reasons). */
export function negate(operator: AlertComparison): string {
  return { '>': '≤', '>=': '<', '<': '≥', '<=': '>', '==': '≠' }[operator];
}

/** `90s` → `1m 30s`, `3600s` → `1h`: durations as people write them. */
export function formatDuration(ms: number): string {
  let seconds = Math.round(ms / 1000);
  if (seconds === 0) return `${ms} ms`;
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (seconds >= size) {
      parts.push(`${Math.floor(seconds / size)}${unit}`);
      seconds %= size;
    }
  }
  return parts.join(' ');
}

/** A number for a sentence: integers as they are, others with up to 2 decimals. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return String(Math.round(value * 100) / 100);
}

/** `lines matching level:error` or `lines` for an empty query. */
export function describeLines(query: string, count?: number): string {
  const noun = count === 1 ? 'line' : 'lines';
  return query.trim() === '' ? noun : `${noun} matching ${query.trim()}`;
}

/** ` (host=web-1)` or nothing for an ungrouped rule. */
export function describeGroup(groupKey: string): string {
  return groupKey === '' ? '' : ` (${groupKey})`;
}
