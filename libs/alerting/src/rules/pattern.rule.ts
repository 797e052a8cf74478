import type { PatternSettings } from '@app/contracts';
import {
  describeGroup,
  describeLines,
  formatDuration,
  RuleSettingsError,
  type Measurement,
  type RuleTypeDefinition,
  type TrackSpec,
  type Verdict,
  type VerdictContext,
} from './rule-type';
import { MAX_WINDOW_SECONDS, SettingsReader } from './settings-reader';

/**
 * Any matching line fires at once. Lines that follow less than `coalesceSeconds` apart fold into
 * the same alert (no new notification); it resolves after a quiet `coalesceSeconds`. An alert
 * folds lines for at most `maxHoldSeconds` and `maxEntries`: then it resolves and the next line
 * opens a new one, so an endless stream notifies at a bounded pace instead of never or always.
 */
export const patternRule: RuleTypeDefinition<PatternSettings> = {
  type: 'pattern',

  parseSettings(raw, rule) {
    if (rule.forSeconds > 0)
      throw new RuleSettingsError('pattern rules fire at once: forSeconds must be 0');
    const reader = new SettingsReader(raw);
    const coalesceSeconds = reader.number('coalesceSeconds', {
      min: 1,
      max: MAX_WINDOW_SECONDS,
      integer: true,
      default: 60,
    });
    const settings: PatternSettings = {
      coalesceSeconds,
      maxHoldSeconds: reader.number('maxHoldSeconds', {
        min: coalesceSeconds,
        max: 7 * MAX_WINDOW_SECONDS,
        integer: true,
        default: Math.max(coalesceSeconds, 3600),
      }),
      maxEntries: reader.number('maxEntries', {
        min: 1,
        max: 1e9,
        integer: true,
        default: 1000,
      }),
    };
    reader.done('pattern');
    return settings;
  },

  tracks(settings): TrackSpec[] {
    return [
      {
        name: 'main',
        kind: 'event',
        lines: 'matching',
        windowMs: settings.coalesceSeconds * 1000,
        evaluateIdle: false,
        forgetAfterMs: Math.max(2 * settings.maxHoldSeconds * 1000, 3_600_000),
        event: { maxHoldMs: settings.maxHoldSeconds * 1000, maxEntries: settings.maxEntries },
        verdict: (measurement, context) =>
          burstVerdict(settings.coalesceSeconds, measurement, context),
      },
    ];
  },
};

/**
 * A burst holds while its latest line is less than `coalesceSeconds` old. Shared with the
 * new-template track of anomaly rules (a burst of new templates).
 */
export function burstVerdict(
  coalesceSeconds: number,
  measurement: Measurement,
  context: VerdictContext,
  what: (count: number) => string = (count) => describeLines(context.query, count),
): Verdict {
  const quietFor =
    measurement.lastSeen === null ? Infinity : measurement.now - measurement.lastSeen;
  const breaching = measurement.count > 0 && quietFor < coalesceSeconds * 1000;
  const count = measurement.count;
  const span = formatDuration(Math.max(1000, measurement.windowEnd - measurement.windowStart));
  const reason = breaching
    ? `${count} ${what(count)} within ${span}${describeGroup(context.groupKey)}`
    : `no new ${what(2)} for ${formatDuration(coalesceSeconds * 1000)}${count > 0 ? `; ${count} in this burst` : ''}${describeGroup(context.groupKey)}`;
  return { breaching, value: count, threshold: null, comparison: null, reason };
}
