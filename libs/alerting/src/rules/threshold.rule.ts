import { ALERT_COMPARISONS, type ThresholdSettings } from '@app/contracts';
import {
  compare,
  describeGroup,
  describeLines,
  formatDuration,
  formatNumber,
  negate,
  type Measurement,
  type RuleTypeDefinition,
  type TrackSpec,
  type Verdict,
  type VerdictContext,
} from './rule-type';
import { MAX_WINDOW_SECONDS, SettingsReader } from './settings-reader';
import { windowLayout } from './windows';

/**
 * Count (or per-second rate) of matching lines over a sliding window against a threshold: "more
 * than 10 errors per minute", "status 500 count > 50 in 5 minutes", per group when grouped.
 */
export const thresholdRule: RuleTypeDefinition<ThresholdSettings> = {
  type: 'threshold',

  parseSettings(raw) {
    const reader = new SettingsReader(raw);
    const settings: ThresholdSettings = {
      metric: reader.oneOf('metric', ['count', 'rate'] as const, 'count'),
      operator: reader.oneOf('operator', ALERT_COMPARISONS, '>'),
      threshold: reader.number('threshold', { min: 0, max: 1e12 }),
      windowSeconds: reader.number('windowSeconds', {
        min: 1,
        max: MAX_WINDOW_SECONDS,
        integer: true,
      }),
    };
    reader.done('threshold');
    return settings;
  },

  tracks(settings): TrackSpec[] {
    const layout = windowLayout(settings.windowSeconds * 1000);
    // Below-threshold conditions can start holding while nothing arrives: the tick must look.
    const fallingCounts = settings.operator !== '>' && settings.operator !== '>=';
    return [
      {
        name: 'main',
        kind: 'count',
        lines: 'matching',
        windowMs: layout.windowMs,
        evaluateIdle: fallingCounts,
        forgetAfterMs: Math.max(2 * layout.windowMs, 3_600_000),
        verdict: (measurement, context) => thresholdVerdict(settings, measurement, context),
      },
    ];
  },
};

export function thresholdVerdict(
  settings: ThresholdSettings,
  measurement: Measurement,
  context: VerdictContext,
): Verdict {
  const windowMs = windowLayout(settings.windowSeconds * 1000).windowMs;
  const value =
    settings.metric === 'count' ? measurement.count : measurement.count / (windowMs / 1000);
  // A "fewer than" condition needs one whole window of watching before it can mean anything.
  const watchedSince = Math.max(measurement.activeSince, measurement.firstSeen ?? 0);
  const warm =
    settings.operator === '>' ||
    settings.operator === '>=' ||
    measurement.now - watchedSince >= settings.windowSeconds * 1000;
  const breaching = warm && compare(value, settings.operator, settings.threshold);
  const measured =
    settings.metric === 'count'
      ? `${formatNumber(value)} ${describeLines(context.query, value)} in the last ${formatDuration(windowMs)}`
      : `${formatNumber(value)} ${describeLines(context.query)} per second over the last ${formatDuration(windowMs)}`;
  const comparison = breaching
    ? `${settings.operator} ${formatNumber(settings.threshold)}`
    : `${negate(settings.operator)} ${formatNumber(settings.threshold)}`;
  return {
    breaching,
    value,
    threshold: settings.threshold,
    comparison: settings.operator,
    reason: `${measured}, ${comparison}${describeGroup(context.groupKey)}`,
  };
}
