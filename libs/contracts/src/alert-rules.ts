// REST shapes of alert rules, alerts, silences and backtests (issue: alerting).
import type { AlertSampleLine, AlertSeverity, AlertState } from './alerts';

export type AlertRuleType = 'threshold' | 'pattern' | 'anomaly' | 'absence';
export const ALERT_RULE_TYPES: readonly AlertRuleType[] = [
  'threshold',
  'pattern',
  'anomaly',
  'absence',
];

/** How a measured value is compared with a threshold. */
export type AlertComparison = '>' | '>=' | '<' | '<=' | '==';
export const ALERT_COMPARISONS: readonly AlertComparison[] = ['>', '>=', '<', '<=', '=='];

/** Count (or rate) of matching lines over a sliding window, compared with a threshold. */
export interface ThresholdSettings {
  /** `count`: lines in the window; `rate`: lines per second over the window. Default count. */
  metric: 'count' | 'rate';
  /** Default `>`. */
  operator: AlertComparison;
  threshold: number;
  /** Length of the sliding window (1 s to 1 day). */
  windowSeconds: number;
}

/** Any matching line fires at once; a burst is folded into one alert. */
export interface PatternSettings {
  /** The alert stays open while lines keep coming less than this far apart; then it resolves. */
  coalesceSeconds: number;
  /** The longest one alert folds lines in; the next line after that opens a new alert. */
  maxHoldSeconds: number;
  /** The most lines one alert folds; the next line after that opens a new alert. */
  maxEntries: number;
}

export type AnomalyMode = 'rate' | 'numeric' | 'template';
export type AnomalyStatistic = 'avg' | 'p50' | 'p90' | 'p95' | 'p99' | 'max';

/**
 * A value far from its learned baseline (EWMA mean and variance per group, one sample per window):
 * `rate` the count of matching lines per window, `numeric` a statistic of a number field per window,
 * `template` Drain-style log templates per source (a never-seen template, or a template's count
 * far above its own baseline).
 */
export interface AnomalySettings {
  mode: AnomalyMode;
  /** The window measured and the step at which the baseline learns. */
  windowSeconds: number;
  /** How many standard deviations from the mean count as an anomaly (default 3). */
  zScore: number;
  /** `up` (default): above the baseline only; `down`: below; `both`. */
  direction: 'up' | 'down' | 'both';
  /** Lines (rate, template) or values (numeric) a window needs before it may be anomalous. */
  minCount: number;
  /** Learning time per group (per template for spikes) before anything may fire. */
  warmupSeconds: number;
  /** EWMA weight of the newest window, 0 < alpha ≤ 1 (default 0.1). */
  alpha: number;
  /** numeric: the field measured, `latency_ms`, `status` or `fields.<name>`. */
  field?: string;
  /** numeric: the statistic of the window (default p95). */
  statistic?: AnomalyStatistic;
  /** template: how alike two lines must be (share of equal tokens) to share a template (default 0.5). */
  similarity?: number;
  /** template: new templates less than this far apart fold into one alert (default 60). */
  coalesceSeconds?: number;
  /** template: also fire when a known template's count spikes (default true). */
  spikes?: boolean;
}

/** Fewer than `minCount` matching lines in the window: a source (or each group) went silent. */
export interface AbsenceSettings {
  minCount: number;
  windowSeconds: number;
  /** A group not seen for this long is forgotten (its alert resolves); default 1 day. */
  forgetAfterSeconds: number;
}

export type AlertRuleSettings =
  ThresholdSettings | PatternSettings | AnomalySettings | AbsenceSettings;

/** What a client sends to create a rule (PATCH takes any subset). */
export interface AlertRuleInput {
  name: string;
  description?: string | null;
  /** Lines the rule looks at, in the search query language; empty: every line. */
  query: string;
  type: AlertRuleType;
  severity: AlertSeverity;
  enabled?: boolean;
  /** Up to 3 fields, one alert per distinct value: source, host, path, method, level, status, fields.<name>. */
  groupBy?: string[];
  /** The condition must hold this long (pending) before the alert fires; 0: at once. */
  forSeconds?: number;
  /** While firing, notify again this often; 0: never. Acknowledged alerts are not repeated. */
  repeatIntervalSeconds?: number;
  /** Sample lines kept as evidence per alert (1 to 50). */
  sampleSize?: number;
  /** Notification channels; empty: those routed by severity. */
  channelIds?: string[];
  /** E-mail recipients; empty: the default recipients. */
  recipients?: string[];
  /** Type-specific settings (ThresholdSettings, PatternSettings, AnomalySettings, AbsenceSettings). */
  settings: Record<string, unknown>;
}

export interface AlertRuleHealth {
  /** Last time a worker evaluated the rule (on a stored batch or the 1 s tick). */
  lastEvaluatedAt: string | null;
  /** Last time a stored line matched the rule's query. */
  lastMatchedAt: string | null;
  /** Transitions to firing in the last 7 days. */
  firesLast7Days: number;
  /** Most state changes of one alert of this rule in the last hour. */
  stateChangesLastHour: number;
  /** True when one alert changed state at least 6 times in the last hour. */
  flapping: boolean;
  /** Alerts pending or firing now. */
  openAlerts: number;
}

export interface AlertRule {
  id: string;
  name: string;
  description: string | null;
  query: string;
  type: AlertRuleType;
  severity: AlertSeverity;
  enabled: boolean;
  groupBy: string[];
  forSeconds: number;
  repeatIntervalSeconds: number;
  sampleSize: number;
  channelIds: string[];
  recipients: string[];
  /** Settings with every default filled in. */
  settings: AlertRuleSettings;
  /** Increases on every change; state (windows, baselines) restarts with a new revision. */
  revision: number;
  createdAt: string;
  updatedAt: string;
  health: AlertRuleHealth;
}

/** One alert: one rule and one group, from pending or firing to resolved. */
export interface Alert {
  id: string;
  /** Null once the rule is deleted (the history stays). */
  ruleId: string | null;
  ruleName: string;
  ruleType: AlertRuleType;
  severity: AlertSeverity;
  query: string;
  state: AlertState;
  group: Record<string, string>;
  groupKey: string;
  /** Value, threshold and window of the latest transition. */
  value: number;
  threshold: number | null;
  comparison: string | null;
  windowStart: string;
  windowEnd: string;
  reason: string;
  /** When the condition first held (pending or firing). */
  startedAt: string;
  firedAt: string | null;
  resolvedAt: string | null;
  lastNotifiedAt: string | null;
  /** Notifications sent for this alert (firing, repeats, resolved). */
  notifications: number;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  acknowledgeComment: string | null;
}

export interface AlertTransition {
  id: string;
  alertId: string;
  from: AlertState | null;
  to: AlertState;
  /** A repeat notification of an alert still firing (to = from = firing). */
  repeat: boolean;
  at: string;
  value: number;
  threshold: number | null;
  comparison: string | null;
  windowStart: string;
  windowEnd: string;
  reason: string;
  samples: AlertSampleLine[];
  /** Whether this transition goes to the notifications queue. */
  notify: boolean;
  /** When it was put on the queue; null while waiting or when not notified. */
  enqueuedAt: string | null;
  /** Set when a silence held the notification back. */
  silencedBy: string | null;
}

export interface AlertDetail extends Alert {
  transitions: AlertTransition[];
  /** The newest evidence: the sample lines of the latest transition that had any. */
  samples: AlertSampleLine[];
}

export interface AlertListResponse {
  items: Alert[];
  /** Pass as `cursor` for older alerts; null on the last page. */
  nextCursor: string | null;
}

export interface AcknowledgeRequest {
  comment?: string;
}

/** Holds notifications back for a time: for one rule or all, for the groups matching `matchers`. */
export interface SilenceInput {
  /** Null or absent: every rule. */
  ruleId?: string | null;
  /** Group field → value; `*` matches any run of characters. Empty: every group. */
  matchers?: Record<string, string>;
  /** Default now. */
  startsAt?: string;
  endsAt: string;
  comment?: string;
}

export interface Silence {
  id: string;
  ruleId: string | null;
  matchers: Record<string, string>;
  startsAt: string;
  endsAt: string;
  comment: string | null;
  createdBy: string;
  createdAt: string;
  /** True while now is within [startsAt, endsAt). */
  active: boolean;
}

export interface BacktestRequest {
  rule: AlertRuleInput;
  from: string;
  to: string;
}

export interface BacktestEvent {
  at: string;
  alertGroup: Record<string, string>;
  groupKey: string;
  from: AlertState | null;
  to: AlertState;
  repeat: boolean;
  /** Whether this transition would have been notified. */
  notify: boolean;
  value: number;
  threshold: number | null;
  comparison: string | null;
  windowStart: string;
  windowEnd: string;
  reason: string;
  /** Sample lines of that group in that window (for the first firing events). */
  samples: AlertSampleLine[];
}

export interface BacktestResponse {
  from: string;
  to: string;
  /** The evaluation step of the replay (the live evaluation runs on every batch). */
  stepSeconds: number;
  /** Matching lines in the range (plus the window before it). */
  matchedLines: number;
  groups: number;
  /** Transitions in time order (capped at 1000; `truncated` says when more happened). */
  timeline: BacktestEvent[];
  truncated: boolean;
  fires: number;
  resolves: number;
  /** Notifications the rule would have sent (firing, repeats, resolved). */
  notifications: number;
  /** Wall time of the replay. */
  tookMs: number;
}
