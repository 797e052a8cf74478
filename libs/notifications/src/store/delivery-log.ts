import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type {
  AlertNotification,
  AlertSeverity,
  ChannelType,
  Delivery,
  DeliveryAttempt,
  DeliveryDetail,
  DeliveryKind,
  DeliveryPage,
  DeliveryStatus,
} from '@app/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import type { DeliveryTarget } from '../channels/channel-type';
import type { RenderedMessage } from '../templates/message-renderer';
import {
  CHANNEL_COLUMNS,
  channelFromColumns,
  type ChannelColumns,
  type StoredChannel,
} from './channel-store';

/** A delivery row with everything sending needs. */
export interface DeliveryRecord {
  id: string;
  kind: DeliveryKind;
  status: DeliveryStatus;
  channelId: string | null;
  channelName: string;
  channelType: ChannelType;
  recipients: string[];
  message: RenderedMessage;
  renderedAt: Date | null;
  alert: AlertNotification | null;
  attempts: number;
  maxAttempts: number;
  summaryWindow: number | null;
}

export interface NewDelivery {
  kind: DeliveryKind;
  channel: StoredChannel;
  notification: AlertNotification | null;
  target: DeliveryTarget;
  message: RenderedMessage;
  maxAttempts: number;
}

export interface DeliveryFilter {
  alertId?: string;
  transitionId?: string;
  ruleId?: string;
  logId?: string;
  channelId?: string;
  status?: DeliveryStatus[];
  kind?: DeliveryKind;
  from?: string;
  to?: string;
  /** Deliveries older than this id (keyset paging, newest first). */
  cursor?: string;
  limit: number;
}

interface DeliveryRow {
  id: string;
  kind: DeliveryKind;
  status: DeliveryStatus;
  channel_id: string | null;
  channel_name: string;
  channel_type: ChannelType;
  transition_id: string | null;
  alert_id: string | null;
  rule_id: string | null;
  rule_name: string | null;
  severity: AlertSeverity | null;
  state: 'firing' | 'resolved' | null;
  alert: AlertNotification | null;
  target: string;
  recipients: string[];
  subject: string | null;
  text: string | null;
  html: string | null;
  body: string | null;
  content_type: string | null;
  rendered_at: Date | null;
  sample_log_ids: string[];
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  last_response: string | null;
  summary_id: string | null;
  summary_window: string | null;
  created_at: Date;
  updated_at: Date;
  sent_at: Date | null;
  next_attempt_at: Date | null;
}

const INSERT_COLUMNS = `kind, status, channel_id, channel_name, channel_type, transition_id, alert_id,
  rule_id, rule_name, severity, state, alert, target, recipients, subject, text, html, body,
  content_type, rendered_at, sample_log_ids, max_attempts, summary_id`;

/** Longest error or reply kept per attempt: enough to diagnose, bounded for hostile peers. */
const MAX_TEXT = 2000;
const clip = (text: string | null | undefined): string | null =>
  text === null || text === undefined ? null : text.slice(0, MAX_TEXT);

/**
 * The delivery log: one row per message to one channel, one per attempt. Every status change of
 * a delivery goes through here.
 */
@Injectable()
export class DeliveryLog {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The deliveries this transition already has, by channel id. */
  async forTransition(
    transitionId: string,
  ): Promise<Map<string, { id: string; status: DeliveryStatus }>> {
    const rows: { id: string; status: DeliveryStatus; channel_id: string | null }[] =
      await this.db.query(
        `SELECT id, status, channel_id FROM deliveries WHERE transition_id = $1`,
        [transitionId],
      );
    return new Map(
      rows
        .filter((row) => row.channel_id !== null)
        .map((row) => [row.channel_id!, { id: row.id, status: row.status }]),
    );
  }

  /** Inserts a pending delivery; null when this transition already has one for the channel. */
  async insertPending(delivery: NewDelivery, manager?: EntityManager): Promise<string | null> {
    return this.insert(delivery, 'pending', null, manager ?? this.db.manager);
  }

  /**
   * Folds a delivery into its channel's summary for the rate-limit window starting at
   * `windowStart`. Null when that summary was already rendered (its window is over): the caller
   * then sends the delivery normally.
   */
  async insertSuppressed(
    delivery: NewDelivery,
    windowStart: number,
  ): Promise<{ deliveryId: string; summaryId: string } | null> {
    return this.db.transaction(async (manager) => {
      // DO UPDATE (not NOTHING) so the row is returned and locked until the suppressed row is in.
      const [summary]: { id: string; rendered_at: Date | null }[] = await manager.query(
        `INSERT INTO deliveries (kind, status, channel_id, channel_name, channel_type, summary_window, max_attempts)
         VALUES ('summary', 'pending', $1, $2, $3, $4, $5)
         ON CONFLICT (channel_id, summary_window) WHERE kind = 'summary'
         DO UPDATE SET updated_at = now()
         RETURNING id, rendered_at`,
        [
          delivery.channel.id,
          delivery.channel.name,
          delivery.channel.type,
          windowStart,
          delivery.maxAttempts,
        ],
      );
      if (summary.rendered_at !== null) return null;
      const deliveryId = await this.insert(delivery, 'suppressed', summary.id, manager);
      return deliveryId === null ? null : { deliveryId, summaryId: summary.id };
    });
  }

  async insertTest(delivery: NewDelivery): Promise<string> {
    return (await this.insert(delivery, 'pending', null, this.db.manager))!;
  }

  private async insert(
    delivery: NewDelivery,
    status: DeliveryStatus,
    summaryId: string | null,
    manager: EntityManager,
  ): Promise<string | null> {
    const n = delivery.kind === 'alert' ? delivery.notification : null;
    const sampleIds = (n?.samples ?? [])
      .map((sample) => sample.id)
      .filter((id) => /^\d{1,19}$/.test(id));
    const values = [
      delivery.kind,
      status,
      delivery.channel.id,
      delivery.channel.name,
      delivery.channel.type,
      n?.transitionId ?? null,
      n?.alertId ?? null,
      n?.ruleId ?? null,
      n?.ruleName ?? null,
      n?.severity ?? null,
      n?.state ?? null,
      n ? JSON.stringify(n) : null,
      delivery.target.description,
      delivery.target.recipients,
      delivery.message.subject,
      delivery.message.text,
      delivery.message.html,
      delivery.message.body,
      delivery.message.contentType,
      new Date(),
      sampleIds,
      delivery.maxAttempts,
      summaryId,
    ];
    const placeholders = values.map((_, i) => `$${i + 1}`).join(', ');
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO deliveries (${INSERT_COLUMNS}) VALUES (${placeholders})
       ON CONFLICT (transition_id, channel_id) WHERE transition_id IS NOT NULL DO NOTHING
       RETURNING id`,
      values,
    );
    return rows[0]?.id ?? null;
  }

  async get(id: string): Promise<DeliveryRecord | null> {
    const rows: DeliveryRow[] = await this.db.query(`SELECT * FROM deliveries WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * Renders a summary once its window is over: locks it (no delivery can join it any more),
   * hands the suppressed deliveries to `build` and stores the message.
   */
  async renderSummary(
    id: string,
    build: (
      suppressed: {
        id: string;
        alert: AlertNotification | null;
        recipients: string[];
        createdAt: Date;
      }[],
    ) => Promise<{ message: RenderedMessage; target: DeliveryTarget }>,
  ): Promise<void> {
    await this.db.transaction(async (manager) => {
      const [row]: { rendered_at: Date | null }[] = await manager.query(
        `SELECT rendered_at FROM deliveries WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (!row || row.rendered_at !== null) return;
      const suppressed: {
        id: string;
        alert: AlertNotification | null;
        recipients: string[];
        created_at: Date;
      }[] = await manager.query(
        `SELECT id, alert, recipients, created_at FROM deliveries WHERE summary_id = $1 ORDER BY id`,
        [id],
      );
      const { message, target } = await build(
        suppressed.map((s) => ({
          id: s.id,
          alert: s.alert,
          recipients: s.recipients,
          createdAt: s.created_at,
        })),
      );
      await manager.query(
        `UPDATE deliveries SET subject = $2, text = $3, html = $4, body = $5, content_type = $6,
           target = $7, recipients = $8, rendered_at = now(), updated_at = now()
         WHERE id = $1`,
        [
          id,
          message.subject,
          message.text,
          message.html,
          message.body,
          message.contentType,
          target.description,
          target.recipients,
        ],
      );
    });
  }

  /**
   * Starts an attempt, in one round trip: a delivery that is due (pending, retrying, or sending
   * after a crash), rendered, and whose channel exists (and is enabled, unless `anyChannel`)
   * becomes `sending` with its attempt counted, and comes back with its channel. Null otherwise:
   * the caller finds out why.
   */
  async claim(
    id: string,
    options: { anyChannel?: boolean } = {},
  ): Promise<{ delivery: DeliveryRecord; channel: StoredChannel } | null> {
    const [rows]: [(DeliveryRow & ChannelColumns)[]] = await this.db.query(
      `UPDATE deliveries d SET status = 'sending', attempts = d.attempts + 1,
         next_attempt_at = NULL, updated_at = now()
       FROM notification_channels c
       WHERE d.id = $1 AND c.id = d.channel_id AND (c.enabled OR $2)
         AND d.status IN ('pending', 'retrying', 'sending') AND d.rendered_at IS NOT NULL
       RETURNING d.*, ${CHANNEL_COLUMNS}`,
      [id, options.anyChannel ?? false],
    );
    return rows[0] ? { delivery: toRecord(rows[0]), channel: channelFromColumns(rows[0]) } : null;
  }

  /**
   * Records an attempt; when it delivered, marks the delivery sent in the same statement (one
   * round trip on the hot path).
   */
  async recordAttempt(
    id: string,
    attempt: Omit<DeliveryAttempt, 'startedAt'> & { startedAt: Date },
  ): Promise<void> {
    await this.db.query(
      `WITH attempt AS (
         INSERT INTO delivery_attempts (delivery_id, attempt, started_at, duration_ms, outcome, error, response, http_status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       )
       UPDATE deliveries SET status = 'sent', sent_at = now(), last_response = $7, last_error = NULL,
         updated_at = now()
       WHERE id = $1 AND $5 = 'sent'`,
      [
        id,
        attempt.attempt,
        attempt.startedAt,
        Math.round(attempt.durationMs),
        attempt.outcome,
        clip(attempt.error),
        clip(attempt.response),
        attempt.httpStatus,
      ],
    );
  }

  async markRetrying(
    id: string,
    error: string,
    response: string | null,
    nextAttemptAt: Date,
  ): Promise<void> {
    await this.db.query(
      `UPDATE deliveries SET status = 'retrying', last_error = $2, last_response = $3,
         next_attempt_at = $4, updated_at = now()
       WHERE id = $1`,
      [id, clip(error), clip(response), nextAttemptAt],
    );
  }

  /** Dead-lettered: no more attempts; `reason` says why. */
  async markDead(id: string, reason: string, response: string | null = null): Promise<void> {
    await this.db.query(
      `UPDATE deliveries SET status = 'dead', last_error = $2,
         last_response = COALESCE($3, last_response), next_attempt_at = NULL, updated_at = now()
       WHERE id = $1`,
      [id, clip(reason), clip(response)],
    );
  }

  /** A dead delivery goes back to pending with `extraAttempts` more; false if it is not dead. */
  async reopen(id: string, extraAttempts: number): Promise<boolean> {
    const [rows]: [unknown[]] = await this.db.query(
      `UPDATE deliveries SET status = 'pending', max_attempts = attempts + $2, last_error = NULL,
         updated_at = now()
       WHERE id = $1 AND status = 'dead' AND rendered_at IS NOT NULL
       RETURNING id`,
      [id, extraAttempts],
    );
    return rows.length > 0;
  }

  async list(filter: DeliveryFilter): Promise<DeliveryPage> {
    const conditions: string[] = [];
    const values: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      values.push(value);
      conditions.push(sql.replace('?', `$${values.length}`));
    };
    if (filter.alertId) add('alert_id = ?', filter.alertId);
    if (filter.transitionId) add('transition_id = ?', filter.transitionId);
    if (filter.ruleId) add('rule_id = ?', filter.ruleId);
    if (filter.logId) add('sample_log_ids @> ARRAY[?::bigint]', filter.logId);
    if (filter.channelId) add('channel_id = ?::uuid', filter.channelId);
    if (filter.status?.length) add('status = ANY(?::text[])', filter.status);
    if (filter.kind) add('kind = ?', filter.kind);
    if (filter.from) add('created_at >= ?::timestamptz', filter.from);
    if (filter.to) add('created_at < ?::timestamptz', filter.to);
    if (filter.cursor) add('id < ?::bigint', filter.cursor);
    values.push(filter.limit + 1);
    const rows: DeliveryRow[] = await this.db.query(
      `SELECT * FROM deliveries ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
       ORDER BY id DESC LIMIT $${values.length}`,
      values,
    );
    const page = rows.slice(0, filter.limit);
    return {
      items: page.map(toDelivery),
      nextCursor: rows.length > filter.limit ? page[page.length - 1].id : null,
    };
  }

  async detail(id: string): Promise<DeliveryDetail | null> {
    const rows: DeliveryRow[] = await this.db.query(`SELECT * FROM deliveries WHERE id = $1`, [id]);
    if (!rows[0]) return null;
    const attempts: {
      attempt: number;
      started_at: Date;
      duration_ms: number;
      outcome: DeliveryAttempt['outcome'];
      error: string | null;
      response: string | null;
      http_status: number | null;
    }[] = await this.db.query(
      `SELECT attempt, started_at, duration_ms, outcome, error, response, http_status
       FROM delivery_attempts WHERE delivery_id = $1 ORDER BY id`,
      [id],
    );
    const suppressed: { id: string }[] =
      rows[0].kind === 'summary'
        ? await this.db.query(`SELECT id FROM deliveries WHERE summary_id = $1 ORDER BY id`, [id])
        : [];
    return {
      ...toDelivery(rows[0]),
      text: rows[0].text,
      html: rows[0].html,
      body: rows[0].body,
      attemptLog: attempts.map((a) => ({
        attempt: a.attempt,
        startedAt: a.started_at.toISOString(),
        durationMs: a.duration_ms,
        outcome: a.outcome,
        error: a.error,
        response: a.response,
        httpStatus: a.http_status,
      })),
      suppressedIds: suppressed.map((s) => s.id),
    };
  }
}

function toRecord(row: DeliveryRow): DeliveryRecord {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    channelId: row.channel_id,
    channelName: row.channel_name,
    channelType: row.channel_type,
    recipients: row.recipients,
    message: {
      subject: row.subject,
      text: row.text,
      html: row.html,
      body: row.body,
      contentType: row.content_type,
    },
    renderedAt: row.rendered_at,
    alert: row.alert,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    summaryWindow: row.summary_window === null ? null : Number(row.summary_window),
  };
}

function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    channelId: row.channel_id,
    channelName: row.channel_name,
    channelType: row.channel_type,
    transitionId: row.transition_id,
    alertId: row.alert_id,
    ruleId: row.rule_id,
    ruleName: row.rule_name,
    severity: row.severity,
    state: row.state,
    target: row.target,
    recipients: row.recipients,
    subject: row.subject,
    sampleLogIds: row.sample_log_ids.map(String),
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    lastError: row.last_error,
    lastResponse: row.last_response,
    summaryId: row.summary_id,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    sentAt: row.sent_at?.toISOString() ?? null,
    nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
  };
}
