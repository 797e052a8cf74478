import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { AlertNotification, AlertSampleLine, AlertState } from '@app/contracts';
import { QueueProducer } from '@app/queue';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AlertMetrics } from '../evaluation/alert-metrics';
import { WindowStore, type GroupReading } from '../evaluation/window-store';
import { toOpenAlert, type AlertRow } from '../model/alert-rows';
import type { CompiledRule } from '../rules/compile-rule';
import type { Measurement, TrackSpec, Verdict } from '../rules/rule-type';
import {
  closeReason,
  decide,
  notifies,
  type Decision,
  type LifecyclePolicy,
  type OpenAlert,
} from './lifecycle';
import { findSilence, type SilenceRule } from './silence-match';

/** One group of one track of a rule: the unit an alert is about. */
export interface GroupContext {
  rule: CompiledRule;
  track: TrackSpec;
  groupKey: string;
  group: Record<string, string>;
  /** Template tracks: the template's text, for reasons. */
  template?: string;
}

type Outcome = { applied: true } | { applied: false; current: OpenAlert | null };

/**
 * The one place alert transitions happen. A transition is a single SQL statement that changes the
 * alert only if it is still in the state this worker saw (a new alert only if the group has no open
 * one, by the partial unique index) and records the transition with it; so two workers deciding
 * the same thing at once produce one transition. The winner then notifies.
 */
@Injectable()
export class AlertLifecycle {
  private readonly logger = new Logger(AlertLifecycle.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: WindowStore,
    private readonly producer: QueueProducer,
    private readonly metrics: AlertMetrics,
  ) {}

  /**
   * Draws the verdict of a group's reading and applies what it decides. `authoritative` is the
   * open alert as Postgres has it (the tick); otherwise the Redis hint is used, and corrected
   * from Postgres when a guarded statement finds the alert changed.
   */
  async evaluate(
    context: GroupContext,
    reading: GroupReading,
    now: number,
    authoritative?: OpenAlert | null,
  ): Promise<void> {
    const { rule, track, groupKey, template } = context;
    const verdict = track.verdict(reading.measurement, { query: rule.query, groupKey, template });
    let open = authoritative === undefined ? reading.open : authoritative;
    for (let attempt = 0; attempt < 2; attempt++) {
      const decision = decide(open, verdict, policyOf(rule, track), now);
      if (decision.kind === 'none') return;
      const outcome = await this.apply(context, decision, open, verdict, reading.measurement, now);
      if (outcome.applied) return;
      open = outcome.current;
    }
  }

  private async apply(
    context: GroupContext,
    decision: Exclude<Decision, { kind: 'none' }>,
    open: OpenAlert | null,
    verdict: Verdict,
    measurement: Measurement,
    now: number,
  ): Promise<Outcome> {
    const { rule, track, groupKey, group } = context;
    const wantsNotify = notifies(decision, open);
    const silence = wantsNotify ? await this.activeSilence(rule.id, group, now) : undefined;
    // A held-back firing is re-offered on every evaluation: only record it once the silence ends.
    if (decision.kind === 'notify' && silence) return { applied: true };
    const notify = wantsNotify && !silence;

    const firingNow = decision.kind !== 'resolve';
    // An absence alert's evidence is what came last before the silence; a burst's is all of it
    // (its samples start with it); others show their window.
    const since =
      track.kind === 'event' || (rule.type === 'absence' && firingNow)
        ? 0
        : measurement.windowStart;
    const samples = await this.store.samples(rule, track, groupKey, since);
    const why = decision.kind === 'resolve' ? closeReason(decision.why, policyOf(rule, track)) : '';
    const reason = why ? `${verdict.reason}; ${why}` : verdict.reason;

    const transitionId = randomUUID();
    const alertId = decision.kind === 'open' ? randomUUID() : (open as OpenAlert).alertId;
    const at = new Date(now);
    const toState: AlertState =
      decision.kind === 'open'
        ? decision.state
        : decision.kind === 'resolve'
          ? 'resolved'
          : 'firing';
    const startedAt = decision.kind === 'open' ? now : (open as OpenAlert).startedAt;
    const firedAt =
      decision.kind === 'open'
        ? decision.state === 'firing'
          ? now
          : null
        : decision.kind === 'promote'
          ? now
          : (open as OpenAlert).firedAt;
    const fields = {
      value: verdict.value,
      threshold: verdict.threshold,
      comparison: verdict.comparison,
      windowStart: new Date(measurement.windowStart),
      windowEnd: new Date(measurement.windowEnd),
      reason,
    };
    const payload: AlertNotification | null = notify
      ? notification({
          transitionId,
          alertId,
          rule,
          query: rule.query,
          state: toState === 'resolved' ? 'resolved' : 'firing',
          repeat: decision.kind === 'notify' && decision.repeat,
          group,
          groupKey,
          fields,
          startedAt: new Date(firedAt ?? startedAt),
          resolvedAt: toState === 'resolved' ? at : null,
          samples,
          channels: rule,
        })
      : null;
    const transition = {
      id: transitionId,
      repeat: decision.kind === 'notify' && decision.repeat,
      at,
      samples,
      notify,
      payload,
      silencedBy: wantsNotify && silence ? silence.id : null,
    };

    let row: AlertRow | undefined;
    if (decision.kind === 'open') {
      row = await this.insertAlert(context, alertId, decision.state, fields, transition);
    } else {
      const current = open as OpenAlert;
      const guard =
        decision.kind === 'notify'
          ? decision.repeat
            ? {
                sql: 'last_notified_at <= $15::timestamptz AND acknowledged_at IS NULL',
                value: new Date(now - rule.repeatMs),
              }
            : { sql: 'last_notified_at IS NULL AND $15::timestamptz IS NOT NULL', value: at }
          : undefined;
      row = await this.updateAlert(alertId, current.state, toState, fields, transition, guard);
    }
    if (!row) return { applied: false, current: await this.reload(context, alertId) };

    const next = toOpenAlert(row);
    if (next) await this.store.setHint(rule, track, groupKey, next, open?.alertId ?? '');
    else await this.store.clearHint(rule, track, groupKey, alertId);
    this.metrics.recordTransition(toState === (open?.state ?? null) ? 'repeat' : toState, notify);
    if (payload) await this.enqueue(transitionId, payload);
    return { applied: true };
  }

  /** Puts a transition on the notifications queue and marks it sent; the outbox retries failures. */
  async enqueue(transitionId: string, payload: AlertNotification): Promise<void> {
    try {
      await this.producer.notifyAlert(payload);
      await this.dataSource.query(
        `UPDATE alert_transitions SET enqueued_at = now() WHERE id = $1`,
        [transitionId],
      );
    } catch (error) {
      this.logger.warn(
        `Transition ${transitionId} not queued yet (retried by the outbox): ${(error as Error).message}`,
      );
    }
  }

  /** Re-sends notified transitions that never reached the queue (a crash or Redis outage). */
  async flushOutbox(olderThanMs = 5000): Promise<number> {
    const rows: { id: string; payload: AlertNotification }[] = await this.dataSource.query(
      `SELECT id, payload FROM alert_transitions
        WHERE notify AND enqueued_at IS NULL AND at < now() - $1 * interval '1 millisecond'
        ORDER BY at LIMIT 100`,
      [olderThanMs],
    );
    for (const row of rows) await this.enqueue(row.id, row.payload);
    return rows.length;
  }

  /**
   * Resolves the open alerts of a rule that was changed, disabled or deleted (`reason` says
   * which): their state no longer exists. Notified like any resolution.
   */
  async resolveAll(
    ruleId: string,
    channels: { channelIds: string[]; recipients: string[] },
    reason: string,
    now = Date.now(),
  ): Promise<number> {
    const rows: AlertRow[] = await this.dataSource.query(
      `SELECT * FROM alerts WHERE rule_id = $1 AND state <> 'resolved'`,
      [ruleId],
    );
    let resolved = 0;
    for (const row of rows) {
      if (await this.resolveRow(row, channels, reason, now)) resolved++;
    }
    return resolved;
  }

  /** Resolves one open alert as it stands (no measurement): rule changes and stale revisions. */
  async resolveRow(
    row: AlertRow,
    channels: { channelIds: string[]; recipients: string[] },
    reason: string,
    now = Date.now(),
  ): Promise<boolean> {
    const open = toOpenAlert(row);
    if (!open) return false;
    const at = new Date(now);
    const transitionId = randomUUID();
    const decision: Decision = { kind: 'resolve', why: 'cleared' };
    const wantsNotify = notifies(decision, open);
    const silence = wantsNotify
      ? await this.activeSilence(row.rule_id ?? '', row.group_values, now)
      : undefined;
    const notify = wantsNotify && !silence;
    const fields: TransitionFields = {
      value: row.value,
      threshold: row.threshold,
      comparison: row.comparison,
      windowStart: row.window_start,
      windowEnd: row.window_end,
      reason,
    };
    const payload: AlertNotification | null = notify
      ? notification({
          transitionId,
          alertId: row.id,
          rule: {
            id: row.rule_id ?? '',
            name: row.rule_name,
            type: row.rule_type,
            severity: row.severity,
          },
          query: row.query,
          state: 'resolved',
          group: row.group_values,
          groupKey: row.group_key,
          fields,
          startedAt: row.fired_at ?? row.started_at,
          resolvedAt: at,
          samples: [],
          channels,
        })
      : null;
    const updated = await this.updateAlert(row.id, open.state, 'resolved', fields, {
      id: transitionId,
      repeat: false,
      at,
      samples: [],
      notify,
      payload,
      silencedBy: silence?.id ?? null,
    });
    if (!updated) return false;
    this.metrics.recordTransition('resolved', notify);
    if (payload) await this.enqueue(transitionId, payload);
    return true;
  }

  /** Open alerts (pending or firing) of every rule, as Postgres has them. */
  async openAlerts(): Promise<AlertRow[]> {
    return this.dataSource.query(`SELECT * FROM alerts WHERE state <> 'resolved'`);
  }

  private async insertAlert(
    context: GroupContext,
    alertId: string,
    state: 'pending' | 'firing',
    fields: TransitionFields,
    transition: TransitionInsert,
  ): Promise<AlertRow | undefined> {
    const { rule, track, groupKey, group } = context;
    const at = transition.at;
    const rows: AlertRow[] = await this.dataSource.query(
      `WITH alert AS (
         INSERT INTO alerts (id, rule_id, rule_revision, track, group_key, group_values, rule_name,
                             rule_type, severity, query, state, value, threshold, comparison,
                             window_start, window_end, reason, started_at, fired_at,
                             last_notified_at, notifications)
         SELECT $1::uuid, $2::uuid, $3::int, $4::text, $5::text, $6::jsonb, $7::text, $8::text,
                $9::text, $10::text, $11::text, $12::float8, $13::float8, $14::text,
                $15::timestamptz, $16::timestamptz, $17::text, $18::timestamptz,
                $19::timestamptz, $20::timestamptz, $21::int
          -- Only for the rule's current revision: a worker that has not yet reloaded a changed,
          -- disabled or deleted rule opens nothing.
          WHERE EXISTS (SELECT 1 FROM alert_rules WHERE id = $2 AND revision = $3 AND enabled)
         ON CONFLICT (rule_id, track, group_key) WHERE state <> 'resolved' DO NOTHING
         RETURNING *
       ), transition AS (
         INSERT INTO alert_transitions (id, alert_id, rule_id, from_state, to_state, repeat, at,
                                        value, threshold, comparison, window_start, window_end,
                                        reason, samples, notify, payload, silenced_by)
         SELECT $22::uuid, id, rule_id, NULL, state, false, $18::timestamptz, value, threshold,
                comparison, window_start, window_end, reason, $23::jsonb, $24::boolean,
                $25::jsonb, $26::uuid
           FROM alert
       )
       SELECT * FROM alert`,
      [
        alertId,
        rule.id,
        rule.revision,
        track.name,
        groupKey,
        JSON.stringify(group),
        rule.name,
        rule.type,
        rule.severity,
        rule.query,
        state,
        fields.value,
        fields.threshold,
        fields.comparison,
        fields.windowStart,
        fields.windowEnd,
        fields.reason,
        at,
        state === 'firing' ? at : null,
        transition.notify ? at : null,
        transition.notify ? 1 : 0,
        transition.id,
        JSON.stringify(transition.samples),
        transition.notify,
        transition.payload === null ? null : JSON.stringify(transition.payload),
        transition.silencedBy,
      ],
    );
    return rows[0];
  }

  private async updateAlert(
    alertId: string,
    from: 'pending' | 'firing',
    to: AlertState,
    fields: TransitionFields,
    transition: TransitionInsert,
    guard?: { sql: string; value: Date },
  ): Promise<AlertRow | undefined> {
    const rows: AlertRow[] = await this.dataSource.query(
      `WITH alert AS (
         UPDATE alerts
            SET state = $3, value = $4, threshold = $5, comparison = $6, window_start = $7,
                window_end = $8, reason = $9,
                fired_at = CASE WHEN $3::text = 'firing' THEN coalesce(fired_at, $10::timestamptz)
                                ELSE fired_at END,
                resolved_at = CASE WHEN $3::text = 'resolved' THEN $10::timestamptz END,
                last_notified_at = CASE WHEN $11::boolean THEN $10::timestamptz
                                        ELSE last_notified_at END,
                notifications = notifications + CASE WHEN $11::boolean THEN 1 ELSE 0 END,
                updated_at = now()
          WHERE id = $1 AND state = $2::text AND ${guard?.sql ?? '$15::timestamptz IS NULL'}
          RETURNING *
       ), transition AS (
         INSERT INTO alert_transitions (id, alert_id, rule_id, from_state, to_state, repeat, at,
                                        value, threshold, comparison, window_start, window_end,
                                        reason, samples, notify, payload, silenced_by)
         SELECT $12::uuid, id, rule_id, $2::text, state, $13::boolean, $10::timestamptz, value,
                threshold, comparison, window_start, window_end, reason, $14::jsonb,
                $11::boolean, $16::jsonb, $17::uuid
           FROM alert
       )
       SELECT * FROM alert`,
      [
        alertId,
        from,
        to,
        fields.value,
        fields.threshold,
        fields.comparison,
        fields.windowStart,
        fields.windowEnd,
        fields.reason,
        transition.at,
        transition.notify,
        transition.id,
        transition.repeat,
        JSON.stringify(transition.samples),
        guard?.value ?? null,
        transition.payload === null ? null : JSON.stringify(transition.payload),
        transition.silencedBy,
      ],
    );
    return rows[0];
  }

  /** After a guarded statement found nothing to change: the group's open alert as it really is. */
  private async reload(context: GroupContext, staleId: string): Promise<OpenAlert | null> {
    const { rule, track, groupKey } = context;
    const rows: AlertRow[] = await this.dataSource.query(
      `SELECT * FROM alerts WHERE rule_id = $1 AND track = $2 AND group_key = $3 AND state <> 'resolved'`,
      [rule.id, track.name, groupKey],
    );
    const row = rows[0];
    if (!row || row.rule_revision !== rule.revision) {
      await this.store.clearHint(rule, track, groupKey, staleId);
      // An alert of an older revision is the tick's to resolve; nothing to do here meanwhile.
      return row ? (toOpenAlert(row) ?? null) : null;
    }
    const open = toOpenAlert(row);
    if (open) await this.store.setHint(rule, track, groupKey, open, staleId);
    return open;
  }

  private async activeSilence(
    ruleId: string,
    group: Record<string, string>,
    now: number,
  ): Promise<SilenceRule | undefined> {
    const rows: {
      id: string;
      rule_id: string | null;
      matchers: Record<string, string>;
      starts_at: Date;
      ends_at: Date;
    }[] = await this.dataSource.query(
      `SELECT id, rule_id, matchers, starts_at, ends_at FROM silences
        WHERE starts_at <= $1 AND ends_at > $1 AND (rule_id IS NULL OR rule_id::text = $2)
        ORDER BY created_at`,
      [new Date(now), ruleId],
    );
    return findSilence(
      rows.map((row) => ({
        id: row.id,
        ruleId: row.rule_id,
        matchers: row.matchers,
        startsAt: row.starts_at.getTime(),
        endsAt: row.ends_at.getTime(),
      })),
      ruleId,
      group,
      now,
    );
  }
}

interface TransitionFields {
  value: number;
  threshold: number | null;
  comparison: string | null;
  windowStart: Date;
  windowEnd: Date;
  reason: string;
}

/**
 * The notification of a transition, from what is stored with it. `repeat` is left out when the
 * caller does not say (a resolution of a changed rule).
 */
function notification(of: {
  transitionId: string;
  alertId: string;
  rule: {
    id: string;
    name: string;
    type: AlertNotification['ruleType'];
    severity: AlertNotification['severity'];
  };
  query: string;
  state: AlertNotification['state'];
  repeat?: boolean;
  group: Record<string, string>;
  groupKey: string;
  fields: TransitionFields;
  startedAt: Date;
  resolvedAt: Date | null;
  samples: AlertSampleLine[];
  channels: { channelIds: string[]; recipients: string[] };
}): AlertNotification {
  return {
    transitionId: of.transitionId,
    alertId: of.alertId,
    ruleId: of.rule.id,
    ruleName: of.rule.name,
    ruleType: of.rule.type,
    severity: of.rule.severity,
    state: of.state,
    ...(of.repeat === undefined ? {} : { repeat: of.repeat }),
    query: of.query,
    group: of.group,
    groupKey: of.groupKey,
    value: of.fields.value,
    threshold: of.fields.threshold,
    comparison: of.fields.comparison,
    windowStart: of.fields.windowStart.toISOString(),
    windowEnd: of.fields.windowEnd.toISOString(),
    reason: of.fields.reason,
    startedAt: of.startedAt.toISOString(),
    resolvedAt: of.resolvedAt === null ? null : of.resolvedAt.toISOString(),
    samples: of.samples,
    channelIds: of.channels.channelIds,
    recipients: of.channels.recipients,
  };
}

interface TransitionInsert {
  id: string;
  repeat: boolean;
  at: Date;
  samples: AlertSampleLine[];
  notify: boolean;
  payload: AlertNotification | null;
  silencedBy: string | null;
}

export function policyOf(rule: CompiledRule, track: TrackSpec): LifecyclePolicy {
  return {
    forMs: track.kind === 'event' ? 0 : rule.forMs,
    repeatMs: rule.repeatMs,
    event: track.event,
  };
}
