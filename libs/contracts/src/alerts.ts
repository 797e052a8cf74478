import type { LogLevelName } from './levels';

/** How urgent an alert is; notifications route on it (per-severity channels). */
export type AlertSeverity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const ALERT_SEVERITIES: readonly AlertSeverity[] = [
  'critical',
  'high',
  'medium',
  'low',
  'info',
];

/** Lifecycle of one alert (one rule + one group): pending (optional `for`) → firing → resolved. */
export type AlertState = 'pending' | 'firing' | 'resolved';

/** A stored line that made an alert fire: evidence shown in the alert and its notifications. */
export interface AlertSampleLine {
  id: string;
  /** Event time, ISO 8601 UTC. */
  ts: string;
  level: LogLevelName;
  source: string;
  host: string | null;
  message: string;
  /** [start, end) spans of `message` that matched the rule's query. */
  highlights: [number, number][];
}

/**
 * One alert transition as it travels to the notifications stage (job `notify-alert` on the
 * `notifications` queue). Everything a template needs is here: no lookup is required to say
 * what fired, why, for which group, and with which lines.
 */
export interface AlertNotification {
  /** Unique per transition: the idempotency key of every delivery made for it. */
  transitionId: string;
  alertId: string;
  ruleId: string;
  ruleName: string;
  ruleType: 'threshold' | 'pattern' | 'anomaly' | 'absence';
  severity: AlertSeverity;
  /** `firing` when the alert starts (or repeats while firing), `resolved` when it is over. */
  state: 'firing' | 'resolved';
  /** True for a repeat notification of an alert still firing (repeat interval). */
  repeat?: boolean;
  /** The rule's query in the search language. */
  query: string;
  /** Group values of this alert (e.g. `{ host: "web-1" }`); empty for an ungrouped rule. */
  group: Record<string, string>;
  /** Stable text form of `group` (`host=web-1`), empty for an ungrouped rule. */
  groupKey: string;
  /** Observed value (count, rate, z-score…) against `threshold` with `comparison`. */
  value: number;
  threshold: number | null;
  comparison: string | null;
  /** The evaluation window the value was measured over, ISO 8601. */
  windowStart: string;
  windowEnd: string;
  /** One sentence saying why: "27 lines matching level:error in 1m > 10 (host=web-1)". */
  reason: string;
  /** ISO 8601 times of the transitions. */
  startedAt: string;
  resolvedAt: string | null;
  /** Up to N lines of this group that caused the alert. */
  samples: AlertSampleLine[];
  /** Channels named by the rule; empty: the channels routed by severity. */
  channelIds: string[];
  /** E-mail recipients named by the rule; empty: the active recipients / configured default. */
  recipients: string[];
}
