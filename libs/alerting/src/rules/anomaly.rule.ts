import type { AlertComparison, AnomalySettings, AnomalyStatistic, LogRecord } from '@app/contracts';
import { burstVerdict } from './pattern.rule';
import {
  describeGroup,
  describeLines,
  formatDuration,
  formatNumber,
  RuleSettingsError,
  type Measurement,
  type RuleTypeDefinition,
  type TrackSpec,
  type Verdict,
  type VerdictContext,
} from './rule-type';
import { MAX_WINDOW_SECONDS, SettingsReader } from './settings-reader';
import { windowLayout } from './windows';

const STATISTICS: readonly AnomalyStatistic[] = ['avg', 'p50', 'p90', 'p95', 'p99', 'max'];

/**
 * A value far from its learned baseline. The baseline of each group is an EWMA mean and variance
 * of one sample per window; a window is anomalous when it lies `zScore` standard deviations
 * from the mean, once the group has been learned for `warmupSeconds`.
 * - `rate`: the count of matching lines per window;
 * - `numeric`: a statistic (p95…) of a number field per window, e.g. latency per endpoint;
 * - `template`: log templates mined per source (Drain): fires when a never-seen template appears
 *   after the warm-up (new templates close together fold into one alert), and, with `spikes`, when
 *   a known template's count per window is far above its own baseline.
 */
export const anomalyRule: RuleTypeDefinition<AnomalySettings> = {
  type: 'anomaly',

  parseSettings(raw, rule) {
    const reader = new SettingsReader(raw);
    const mode = reader.oneOf('mode', ['rate', 'numeric', 'template'] as const, 'rate');
    const settings: AnomalySettings = {
      mode,
      windowSeconds: reader.number('windowSeconds', {
        min: 1,
        max: MAX_WINDOW_SECONDS,
        integer: true,
        default: 60,
      }),
      zScore: reader.number('zScore', { min: 0, max: 1000, exclusiveMin: true, default: 3 }),
      direction: reader.oneOf('direction', ['up', 'down', 'both'] as const, 'up'),
      minCount: reader.number('minCount', { min: 0, max: 1e9, integer: true, default: 10 }),
      warmupSeconds: reader.number('warmupSeconds', {
        min: 0,
        max: 30 * MAX_WINDOW_SECONDS,
        integer: true,
        default: 3600,
      }),
      alpha: reader.number('alpha', { min: 0, max: 1, exclusiveMin: true, default: 0.1 }),
    };
    if (mode === 'numeric') {
      const field = reader.string('field');
      if (field === undefined)
        throw new RuleSettingsError(
          'settings.field is required for numeric anomalies: latency_ms, status or fields.<name>',
        );
      numberReader(field); // validates
      settings.field = field;
      settings.statistic = reader.oneOf('statistic', STATISTICS, 'p95');
    }
    if (mode === 'template') {
      if (rule.groupBy.some((field) => field.name !== 'source'))
        throw new RuleSettingsError(
          'template anomalies are mined per source: groupBy must be empty or ["source"]',
        );
      settings.similarity = reader.number('similarity', { min: 0.1, max: 1, default: 0.5 });
      settings.coalesceSeconds = reader.number('coalesceSeconds', {
        min: 1,
        max: MAX_WINDOW_SECONDS,
        integer: true,
        default: 60,
      });
      settings.spikes = reader.boolean('spikes', true);
    }
    reader.done(`anomaly (mode ${mode})`);
    return settings;
  },

  tracks(settings): TrackSpec[] {
    const windowMs = windowLayout(settings.windowSeconds * 1000).windowMs;
    const forgetAfterMs = Math.max(10 * windowMs, settings.warmupSeconds * 1000, 86_400_000);
    const falling = settings.direction !== 'up';
    if (settings.mode === 'numeric') {
      const field = settings.field ?? 'latency_ms';
      const statistic = settings.statistic ?? 'p95';
      return [
        {
          name: 'main',
          kind: 'values',
          lines: 'matching',
          windowMs,
          baseline: { alpha: settings.alpha },
          value: { read: numberReader(field), statistic },
          evaluateIdle: falling,
          forgetAfterMs,
          verdict: (measurement, context) =>
            anomalyVerdict(settings, measurement, context, {
              what: `${statistic} of ${field}`,
              observed: (value) => `${statistic} of ${field} ${formatNumber(value)}`,
              floor: (mean) => 0.05 * Math.abs(mean),
            }),
        },
      ];
    }
    const rate: Omit<TrackSpec, 'name' | 'lines'> = {
      kind: 'count',
      windowMs,
      baseline: { alpha: settings.alpha },
      evaluateIdle: falling,
      forgetAfterMs,
      verdict: (measurement, context) =>
        anomalyVerdict(settings, measurement, context, {
          what: context.template
            ? `lines of template "${context.template}"`
            : describeLines(context.query),
          observed: (value) =>
            `${formatNumber(value)} ${context.template ? `lines of template "${context.template}"` : describeLines(context.query, value)}`,
          // Counts are roughly Poisson: a deviation below √mean is noise even on a flat baseline.
          floor: (mean) => Math.sqrt(Math.max(mean, 1)),
        }),
    };
    if (settings.mode === 'rate') return [{ name: 'main', lines: 'matching', ...rate }];
    const coalesceSeconds = settings.coalesceSeconds ?? 60;
    const tracks: TrackSpec[] = [
      {
        name: 'new-template',
        kind: 'event',
        lines: 'new-template',
        windowMs: coalesceSeconds * 1000,
        evaluateIdle: false,
        forgetAfterMs,
        event: { maxHoldMs: Math.max(3_600_000, coalesceSeconds * 1000), maxEntries: 1000 },
        verdict: (measurement, context) =>
          burstVerdict(coalesceSeconds, measurement, context, (count) =>
            count === 1 ? 'new log template' : 'new log templates',
          ),
      },
    ];
    if (settings.spikes !== false)
      tracks.push({ name: 'template-spike', lines: 'template', ...rate });
    return tracks;
  },
};

/** Reads a number field of a line: a number column, or a `fields` value holding a JSON number. */
export function numberReader(field: string): (record: LogRecord) => number | null {
  const lower = field.toLowerCase();
  if (lower === 'latency_ms') return (record) => record.latencyMs;
  if (lower === 'status') return (record) => record.statusCode;
  if (lower.startsWith('fields.') && field.length > 'fields.'.length) {
    const key = field.slice('fields.'.length);
    return (record) => {
      const value = Object.hasOwn(record.fields, key) ? record.fields[key] : undefined;
      return typeof value === 'number' && Number.isFinite(value) ? value : null;
    };
  }
  throw new RuleSettingsError(
    `settings.field "${field}" is not a number field: use latency_ms, status or fields.<name>`,
  );
}

/** The SQL of a number field (backtest), as numberReader reads it. */
export function numberFieldSql(field: string, param: (value: unknown) => string): string {
  const lower = field.toLowerCase();
  if (lower === 'latency_ms') return 'latency_ms';
  if (lower === 'status') return 'status_code::double precision';
  const key = field.slice('fields.'.length);
  return `(CASE WHEN jsonb_typeof(fields->${param(key)}) = 'number' THEN (fields->>${param(key)})::double precision END)`;
}

interface AnomalyWording {
  what: string;
  /** The observed value in words: `214 lines matching level:error`, `p95 of latency_ms 820`. */
  observed: (value: number) => string;
  /** Least standard deviation used: a flat baseline must not make every wiggle an anomaly. */
  floor: (mean: number) => number;
}

export function anomalyVerdict(
  settings: AnomalySettings,
  measurement: Measurement,
  context: VerdictContext,
  wording: AnomalyWording,
): Verdict {
  const { baseline, now } = measurement;
  const observed = settings.mode === 'numeric' ? measurement.stat : measurement.count;
  const window = formatDuration(windowLayout(settings.windowSeconds * 1000).windowMs);
  const group = describeGroup(context.groupKey);
  const learnedFor = measurement.firstSeen === null ? 0 : now - measurement.firstSeen;
  const ready =
    baseline !== null &&
    baseline.samples >= 2 &&
    learnedFor >= settings.warmupSeconds * 1000 &&
    observed !== null;
  if (!ready || observed === null || baseline === null) {
    return {
      breaching: false,
      value: observed ?? 0,
      threshold: null,
      comparison: null,
      reason: `${wording.what}${group}: baseline still learning (${baseline?.samples ?? 0} windows of ${window})`,
    };
  }
  const deviation = Math.max(Math.sqrt(baseline.variance), wording.floor(baseline.mean), 1e-9);
  const z = (observed - baseline.mean) / deviation;
  const enough = measurement.count >= settings.minCount;
  const high = enough && z >= settings.zScore && settings.direction !== 'down';
  // A drop needs a baseline worth dropping from: minCount applies to the mean.
  const low =
    baseline.mean >= settings.minCount && z <= -settings.zScore && settings.direction !== 'up';
  const breaching = high || low;
  const useLow = low || (!high && settings.direction === 'down');
  const comparison: AlertComparison = useLow ? '<' : '>';
  const threshold = baseline.mean + (useLow ? -1 : 1) * settings.zScore * deviation;
  const side = z >= 0 ? 'above' : 'below';
  const reason =
    `${wording.observed(observed)} in the last ${window}, ${formatNumber(Math.abs(z))}σ ${side} ` +
    `the baseline of ${formatNumber(baseline.mean)} ± ${formatNumber(deviation)}` +
    `${breaching ? '' : ` (within ${formatNumber(settings.zScore)}σ${enough ? '' : ` or under ${settings.minCount}`})`}${group}`;
  return { breaching, value: observed, threshold, comparison, reason };
}
