// Rows of `alerts` and `alert_transitions` as pg returns them, and their API shapes. The lifecycle
// writes these tables with plain SQL (each transition is one guarded statement), so there are no
// TypeORM entities for them.
import type {
  Alert,
  AlertRuleType,
  AlertSampleLine,
  AlertSeverity,
  AlertState,
  AlertTransition,
} from '@app/contracts';
import type { OpenAlert } from '../lifecycle/lifecycle';

export interface AlertRow {
  id: string;
  rule_id: string | null;
  rule_revision: number;
  track: string;
  group_key: string;
  group_values: Record<string, string>;
  rule_name: string;
  rule_type: AlertRuleType;
  severity: AlertSeverity;
  query: string;
  state: AlertState;
  value: number;
  threshold: number | null;
  comparison: string | null;
  window_start: Date;
  window_end: Date;
  reason: string;
  started_at: Date;
  fired_at: Date | null;
  resolved_at: Date | null;
  last_notified_at: Date | null;
  notifications: number;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  acknowledge_comment: string | null;
}

export interface TransitionRow {
  id: string;
  alert_id: string;
  from_state: AlertState | null;
  to_state: AlertState;
  repeat: boolean;
  at: Date;
  value: number;
  threshold: number | null;
  comparison: string | null;
  window_start: Date;
  window_end: Date;
  reason: string;
  samples: AlertSampleLine[];
  notify: boolean;
  enqueued_at: Date | null;
  silenced_by: string | null;
}

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

export function toAlert(row: AlertRow): Alert {
  return {
    id: row.id,
    ruleId: row.rule_id,
    ruleName: row.rule_name,
    ruleType: row.rule_type,
    severity: row.severity,
    query: row.query,
    state: row.state,
    group: row.group_values,
    groupKey: row.group_key,
    value: row.value,
    threshold: row.threshold,
    comparison: row.comparison,
    windowStart: row.window_start.toISOString(),
    windowEnd: row.window_end.toISOString(),
    reason: row.reason,
    startedAt: row.started_at.toISOString(),
    firedAt: iso(row.fired_at),
    resolvedAt: iso(row.resolved_at),
    lastNotifiedAt: iso(row.last_notified_at),
    notifications: row.notifications,
    acknowledgedAt: iso(row.acknowledged_at),
    acknowledgedBy: row.acknowledged_by,
    acknowledgeComment: row.acknowledge_comment,
  };
}

export function toTransition(row: TransitionRow): AlertTransition {
  return {
    id: row.id,
    alertId: row.alert_id,
    from: row.from_state,
    to: row.to_state,
    repeat: row.repeat,
    at: row.at.toISOString(),
    value: row.value,
    threshold: row.threshold,
    comparison: row.comparison,
    windowStart: row.window_start.toISOString(),
    windowEnd: row.window_end.toISOString(),
    reason: row.reason,
    samples: row.samples,
    notify: row.notify,
    enqueuedAt: iso(row.enqueued_at),
    silencedBy: row.silenced_by,
  };
}

/** The lifecycle's view of an open alert row; null for a resolved one. */
export function toOpenAlert(row: AlertRow): OpenAlert | null {
  if (row.state === 'resolved') return null;
  return {
    alertId: row.id,
    state: row.state,
    startedAt: row.started_at.getTime(),
    firedAt: row.fired_at?.getTime() ?? null,
    lastNotifiedAt: row.last_notified_at?.getTime() ?? null,
    acknowledged: row.acknowledged_at !== null,
  };
}
