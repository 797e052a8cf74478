import type { AlertRuleType } from '@app/contracts';

/** One input of a rule type's settings form. */
export interface SettingField {
  key: string;
  label: string;
  kind: 'number' | 'select' | 'boolean' | 'text';
  options?: readonly string[];
  /** Shown as placeholder: the server's default when left empty. */
  placeholder?: string;
  help?: string;
  /** Only for some values of another setting (anomaly modes). */
  when?: { key: string; in: readonly string[] };
}

export const RULE_TYPE_HELP: Record<AlertRuleType, string> = {
  threshold: 'Matching lines (or lines per second) in a sliding window compared with a threshold.',
  pattern: 'Any matching line fires at once; a burst folds into one alert.',
  anomaly:
    'A value far from its learned baseline (EWMA): line rate, a numeric field, or new log templates.',
  absence: 'Too few matching lines in the window: a source or group went silent.',
};

export const SETTING_FIELDS: Record<AlertRuleType, SettingField[]> = {
  threshold: [
    { key: 'metric', label: 'Measure (rate: lines/s)', kind: 'select', options: ['count', 'rate'] },
    { key: 'operator', label: 'Is', kind: 'select', options: ['>', '>=', '<', '<=', '=='] },
    { key: 'threshold', label: 'Threshold', kind: 'number' },
    { key: 'windowSeconds', label: 'Window (seconds)', kind: 'number' },
  ],
  pattern: [
    {
      key: 'coalesceSeconds',
      label: 'Fold lines less than (s) apart',
      kind: 'number',
      placeholder: '60',
    },
    { key: 'maxHoldSeconds', label: 'Longest alert (s)', kind: 'number', placeholder: '3600' },
    { key: 'maxEntries', label: 'Most lines per alert', kind: 'number', placeholder: '1000' },
  ],
  anomaly: [
    { key: 'mode', label: 'Watch', kind: 'select', options: ['rate', 'numeric', 'template'] },
    { key: 'windowSeconds', label: 'Window (seconds)', kind: 'number', placeholder: '60' },
    { key: 'zScore', label: 'Standard deviations', kind: 'number', placeholder: '3' },
    { key: 'direction', label: 'Direction', kind: 'select', options: ['up', 'down', 'both'] },
    { key: 'minCount', label: 'Least lines per window', kind: 'number', placeholder: '10' },
    { key: 'warmupSeconds', label: 'Learning time (s)', kind: 'number', placeholder: '3600' },
    { key: 'alpha', label: 'Baseline weight (0–1]', kind: 'number', placeholder: '0.1' },
    {
      key: 'field',
      label: 'Field',
      kind: 'text',
      placeholder: 'latency_ms',
      when: { key: 'mode', in: ['numeric'] },
    },
    {
      key: 'statistic',
      label: 'Statistic',
      kind: 'select',
      options: ['avg', 'p50', 'p90', 'p95', 'p99', 'max'],
      when: { key: 'mode', in: ['numeric'] },
    },
    {
      key: 'similarity',
      label: 'Template similarity',
      kind: 'number',
      placeholder: '0.5',
      when: { key: 'mode', in: ['template'] },
    },
    {
      key: 'coalesceSeconds',
      label: 'Fold new templates (s)',
      kind: 'number',
      placeholder: '60',
      when: { key: 'mode', in: ['template'] },
    },
    {
      key: 'spikes',
      label: 'Also fire on spikes of known templates',
      kind: 'boolean',
      when: { key: 'mode', in: ['template'] },
    },
  ],
  absence: [
    { key: 'minCount', label: 'Fewer than (lines)', kind: 'number', placeholder: '1' },
    { key: 'windowSeconds', label: 'Window (seconds)', kind: 'number' },
    {
      key: 'forgetAfterSeconds',
      label: 'Forget a group after (s)',
      kind: 'number',
      placeholder: '86400',
    },
  ],
};

export const DEFAULT_SETTINGS: Record<AlertRuleType, Record<string, unknown>> = {
  threshold: { metric: 'count', operator: '>', threshold: 10, windowSeconds: 60 },
  pattern: {},
  anomaly: { mode: 'rate', direction: 'up' },
  absence: { minCount: 1, windowSeconds: 300 },
};

export function visibleFields(
  type: AlertRuleType,
  settings: Record<string, unknown>,
): SettingField[] {
  return SETTING_FIELDS[type].filter(
    (f) => !f.when || f.when.in.includes(String(settings[f.when.key] ?? '')),
  );
}

/** Only the settings of the type that have a value (the server fills in the rest). */
export function cleanSettings(
  type: AlertRuleType,
  settings: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of visibleFields(type, settings)) {
    const value = settings[field.key];
    if (value === undefined || value === '' || (typeof value === 'number' && Number.isNaN(value)))
      continue;
    out[field.key] = value;
  }
  return out;
}
