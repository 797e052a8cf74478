import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications: channels (email, webhook), recipients, templates, and the delivery log (one row
 * per message to one channel, one row per attempt).
 */
export class Notifications1763790000000 implements MigrationInterface {
  name = 'Notifications1763790000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE notification_templates (
        id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        name          text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
        channel_type  text        NOT NULL,
        -- webhook bodies only: the Content-Type sent (JSON bodies are escaped as JSON)
        content_type  text,
        time_zone     text        NOT NULL DEFAULT 'UTC',
        -- {subject, text, html} for email, {body} for webhooks
        firing        jsonb       NOT NULL,
        resolved      jsonb       NOT NULL,
        summary       jsonb,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX notification_templates_name_idx ON notification_templates (lower(name))`,
    );

    // The type is checked by the application: a new channel type is one file, no migration.
    await queryRunner.query(`
      CREATE TABLE notification_channels (
        id                         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        name                       text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
        type                       text        NOT NULL,
        enabled                    boolean     NOT NULL DEFAULT true,
        severities                 text[]      NOT NULL,
        -- a built-in template id ("builtin-slack") or a notification_templates id
        template_id                text,
        settings                   jsonb       NOT NULL DEFAULT '{}',
        -- write-only values (SMTP password, webhook secret and headers): never returned by the API
        secrets                    jsonb       NOT NULL DEFAULT '{}',
        rate_limit_max             integer     CHECK (rate_limit_max > 0),
        rate_limit_window_seconds  integer     NOT NULL DEFAULT 60 CHECK (rate_limit_window_seconds > 0),
        created_at                 timestamptz NOT NULL DEFAULT now(),
        updated_at                 timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX notification_channels_name_idx ON notification_channels (lower(name))`,
    );

    await queryRunner.query(`
      CREATE TABLE notification_recipients (
        id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        address     text        NOT NULL CHECK (char_length(address) BETWEEN 3 AND 320),
        active      boolean     NOT NULL DEFAULT true,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX notification_recipients_address_idx ON notification_recipients (lower(address))`,
    );

    // No foreign keys to alerts: the log outlives rules and alerts, and alerting's tables come later.
    await queryRunner.query(`
      CREATE TABLE deliveries (
        id               bigserial   PRIMARY KEY,
        kind             text        NOT NULL CHECK (kind IN ('alert', 'summary', 'test')),
        status           text        NOT NULL
                         CHECK (status IN ('pending', 'sending', 'retrying', 'sent', 'dead', 'suppressed')),
        channel_id       uuid        REFERENCES notification_channels (id) ON DELETE SET NULL,
        channel_name     text        NOT NULL,
        channel_type     text        NOT NULL,
        transition_id    text,
        alert_id         text,
        rule_id          text,
        rule_name        text,
        severity         text,
        state            text,
        -- the AlertNotification as it arrived (summaries list it; a message can be re-rendered)
        alert            jsonb,
        target           text        NOT NULL DEFAULT '',
        recipients       text[]      NOT NULL DEFAULT '{}',
        -- the rendered message as it is sent (a summary is rendered when its window ends)
        subject          text,
        text             text,
        html             text,
        body             text,
        content_type     text,
        rendered_at      timestamptz,
        sample_log_ids   bigint[]    NOT NULL DEFAULT '{}',
        attempts         integer     NOT NULL DEFAULT 0,
        max_attempts     integer     NOT NULL,
        last_error       text,
        last_response    text,
        summary_id       bigint      REFERENCES deliveries (id) ON DELETE SET NULL,
        -- a summary's rate-limit window (its start, epoch ms)
        summary_window   bigint,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        sent_at          timestamptz,
        next_attempt_at  timestamptz
      )`);
    // A retried notify-alert job finds its delivery instead of making a second one.
    await queryRunner.query(
      `CREATE UNIQUE INDEX deliveries_transition_channel_idx ON deliveries (transition_id, channel_id)
       WHERE transition_id IS NOT NULL`,
    );
    // One summary per channel and window.
    await queryRunner.query(
      `CREATE UNIQUE INDEX deliveries_summary_window_idx ON deliveries (channel_id, summary_window)
       WHERE kind = 'summary'`,
    );
    // Newest first, by the delivery log's filters.
    await queryRunner.query(`CREATE INDEX deliveries_alert_idx ON deliveries (alert_id, id DESC)`);
    await queryRunner.query(
      `CREATE INDEX deliveries_channel_idx ON deliveries (channel_id, id DESC)`,
    );
    await queryRunner.query(`CREATE INDEX deliveries_status_idx ON deliveries (status, id DESC)`);
    await queryRunner.query(`CREATE INDEX deliveries_created_idx ON deliveries (created_at)`);
    await queryRunner.query(
      `CREATE INDEX deliveries_summary_idx ON deliveries (summary_id) WHERE summary_id IS NOT NULL`,
    );
    // "Which notifications showed this log line?": sample_log_ids @> ARRAY[id].
    await queryRunner.query(
      `CREATE INDEX deliveries_sample_logs_idx ON deliveries USING gin (sample_log_ids)`,
    );

    await queryRunner.query(`
      CREATE TABLE delivery_attempts (
        id           bigserial   PRIMARY KEY,
        delivery_id  bigint      NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
        attempt      integer     NOT NULL,
        started_at   timestamptz NOT NULL,
        duration_ms  integer     NOT NULL,
        outcome      text        NOT NULL CHECK (outcome IN ('sent', 'failed', 'refused')),
        error        text,
        response     text,
        http_status  integer
      )`);
    await queryRunner.query(
      `CREATE INDEX delivery_attempts_delivery_idx ON delivery_attempts (delivery_id, id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE delivery_attempts`);
    await queryRunner.query(`DROP TABLE deliveries`);
    await queryRunner.query(`DROP TABLE notification_recipients`);
    await queryRunner.query(`DROP TABLE notification_channels`);
    await queryRunner.query(`DROP TABLE notification_templates`);
  }
}
