import type { AbsenceSettings } from '@app/contracts';
import {
  describeGroup,
  describeLines,
  formatDuration,
  type Measurement,
  type RuleTypeDefinition,
  type TrackSpec,
  type Verdict,
  type VerdictContext,
} from './rule-type';
import { MAX_WINDOW_SECONDS, SettingsReader } from './settings-reader';
import { windowLayout } from './windows';

/**
 * Fewer than `minCount` matching lines in the window: a source went silent. Grouped, each group
 * that has sent lines is watched until it has been silent for `forgetAfterSeconds` (a host taken
 * out of service stops alerting then). Nothing fires before one whole window has been watched.
 */
export const absenceRule: RuleTypeDefinition<AbsenceSettings> = {
  type: 'absence',

  parseSettings(raw) {
    const reader = new SettingsReader(raw);
    const windowSeconds = reader.number('windowSeconds', {
      min: 1,
      max: MAX_WINDOW_SECONDS,
      integer: true,
    });
    const settings: AbsenceSettings = {
      minCount: reader.number('minCount', { min: 1, max: 1e9, integer: true, default: 1 }),
      windowSeconds,
      forgetAfterSeconds: reader.number('forgetAfterSeconds', {
        min: windowSeconds,
        max: 30 * MAX_WINDOW_SECONDS,
        integer: true,
        default: Math.max(MAX_WINDOW_SECONDS, 2 * windowSeconds),
      }),
    };
    reader.done('absence');
    return settings;
  },

  tracks(settings): TrackSpec[] {
    return [
      {
        name: 'main',
        kind: 'count',
        lines: 'matching',
        windowMs: windowLayout(settings.windowSeconds * 1000).windowMs,
        evaluateIdle: true,
        forgetAfterMs: settings.forgetAfterSeconds * 1000,
        verdict: (measurement, context) => absenceVerdict(settings, measurement, context),
      },
    ];
  },
};

export function absenceVerdict(
  settings: AbsenceSettings,
  measurement: Measurement,
  context: VerdictContext,
): Verdict {
  const { now, count, lastSeen } = measurement;
  const watchedSince = Math.max(measurement.activeSince, measurement.firstSeen ?? 0);
  const watchedLongEnough = now - watchedSince >= settings.windowSeconds * 1000;
  const forgotten = lastSeen !== null && now - lastSeen >= settings.forgetAfterSeconds * 1000;
  const breaching = watchedLongEnough && !forgotten && count < settings.minCount;
  const window = formatDuration(settings.windowSeconds * 1000);
  const last =
    lastSeen === null
      ? '; no line seen yet'
      : now - lastSeen < 1000
        ? '; last line just now'
        : `; last line ${formatDuration(now - lastSeen)} ago`;
  let reason = `${count} ${describeLines(context.query, count)} in the last ${window}, ${breaching ? '<' : '≥'} ${settings.minCount}${describeGroup(context.groupKey)}${last}`;
  if (forgotten)
    reason = `no ${describeLines(context.query)} for ${formatDuration(now - lastSeen)}${describeGroup(context.groupKey)}: forgotten`;
  return {
    breaching,
    value: count,
    threshold: settings.minCount,
    comparison: '<',
    reason,
  };
}
