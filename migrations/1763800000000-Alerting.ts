import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alert rules; alerts (one row per rule + group occurrence, from pending or firing to resolved)
 * with every transition; silences. At most one open alert per rule, track and group is enforced
 * by a partial unique index: that is what keeps two workers from firing the same alert twice.
 */
export class Alerting1763800000000 implements MigrationInterface {
  name = 'Alerting1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE alert_rules (
        id                       uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        name                     text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
        description              text,
        query                    text        NOT NULL DEFAULT '',
        type                     text        NOT NULL
                                   CHECK (type IN ('threshold', 'pattern', 'anomaly', 'absence')),
        severity                 text        NOT NULL
                                   CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info')),
        enabled                  boolean     NOT NULL DEFAULT true,
        group_by                 text[]      NOT NULL DEFAULT '{}',
        for_seconds              integer     NOT NULL DEFAULT 0 CHECK (for_seconds >= 0),
        repeat_interval_seconds  integer     NOT NULL DEFAULT 0 CHECK (repeat_interval_seconds >= 0),
        sample_size              integer     NOT NULL DEFAULT 10 CHECK (sample_size BETWEEN 1 AND 50),
        channel_ids              uuid[]      NOT NULL DEFAULT '{}',
        recipients               text[]      NOT NULL DEFAULT '{}',
        -- Type-specific settings with every default filled in.
        settings                 jsonb       NOT NULL DEFAULT '{}',
        -- Increased when what is evaluated changes; windows and baselines restart with it.
        revision                 integer     NOT NULL DEFAULT 1,
        revised_at               timestamptz NOT NULL DEFAULT now(),
        created_at               timestamptz NOT NULL DEFAULT now(),
        updated_at               timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX alert_rules_name_idx ON alert_rules (lower(name))`,
    );

    await queryRunner.query(`
      CREATE TABLE alerts (
        id                   uuid             PRIMARY KEY DEFAULT gen_random_uuid(),
        -- The history stays when its rule is deleted.
        rule_id              uuid             REFERENCES alert_rules (id) ON DELETE SET NULL,
        rule_revision        integer          NOT NULL,
        -- Which state of the rule the alert watches ('main'; template rules have two).
        track                text             NOT NULL,
        group_key            text             NOT NULL,
        group_values         jsonb            NOT NULL DEFAULT '{}',
        rule_name            text             NOT NULL,
        rule_type            text             NOT NULL,
        severity             text             NOT NULL,
        query                text             NOT NULL,
        state                text             NOT NULL CHECK (state IN ('pending', 'firing', 'resolved')),
        value                double precision NOT NULL,
        threshold            double precision,
        comparison           text,
        window_start         timestamptz      NOT NULL,
        window_end           timestamptz      NOT NULL,
        reason               text             NOT NULL,
        started_at           timestamptz      NOT NULL,
        fired_at             timestamptz,
        resolved_at          timestamptz,
        last_notified_at     timestamptz,
        notifications        integer          NOT NULL DEFAULT 0,
        acknowledged_at      timestamptz,
        acknowledged_by      text,
        acknowledge_comment  text,
        updated_at           timestamptz      NOT NULL DEFAULT now()
      )`);
    // One open alert per rule + track + group: INSERT … ON CONFLICT DO NOTHING is the fire guard.
    await queryRunner.query(
      `CREATE UNIQUE INDEX alerts_open_idx ON alerts (rule_id, track, group_key) WHERE state <> 'resolved'`,
    );
    // Alert history newest first (keyset paging), overall and per rule.
    await queryRunner.query(`CREATE INDEX alerts_started_idx ON alerts (started_at DESC, id DESC)`);
    await queryRunner.query(
      `CREATE INDEX alerts_rule_started_idx ON alerts (rule_id, started_at DESC)`,
    );

    await queryRunner.query(`
      CREATE TABLE alert_transitions (
        id            uuid             PRIMARY KEY DEFAULT gen_random_uuid(),
        alert_id      uuid             NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
        rule_id       uuid,
        from_state    text             CHECK (from_state IN ('pending', 'firing', 'resolved')),
        to_state      text             NOT NULL CHECK (to_state IN ('pending', 'firing', 'resolved')),
        repeat        boolean          NOT NULL DEFAULT false,
        at            timestamptz      NOT NULL,
        value         double precision NOT NULL,
        threshold     double precision,
        comparison    text,
        window_start  timestamptz      NOT NULL,
        window_end    timestamptz      NOT NULL,
        reason        text             NOT NULL,
        samples       jsonb            NOT NULL DEFAULT '[]',
        -- Outbox: a notified transition keeps the exact job payload until it is on the queue.
        notify        boolean          NOT NULL,
        payload       jsonb,
        enqueued_at   timestamptz,
        silenced_by   uuid
      )`);
    await queryRunner.query(
      `CREATE INDEX alert_transitions_alert_idx ON alert_transitions (alert_id, at)`,
    );
    // Rule health: fires in 7 days, state changes in the last hour.
    await queryRunner.query(
      `CREATE INDEX alert_transitions_rule_at_idx ON alert_transitions (rule_id, at)`,
    );
    await queryRunner.query(
      `CREATE INDEX alert_transitions_outbox_idx ON alert_transitions (at) WHERE notify AND enqueued_at IS NULL`,
    );

    await queryRunner.query(`
      CREATE TABLE silences (
        id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        rule_id     uuid        REFERENCES alert_rules (id) ON DELETE CASCADE,
        -- group field -> value; '*' matches any run of characters
        matchers    jsonb       NOT NULL DEFAULT '{}',
        starts_at   timestamptz NOT NULL,
        ends_at     timestamptz NOT NULL,
        comment     text,
        created_by  text        NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        CHECK (ends_at > starts_at)
      )`);
    await queryRunner.query(`CREATE INDEX silences_ends_at_idx ON silences (ends_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE silences`);
    await queryRunner.query(`DROP TABLE alert_transitions`);
    await queryRunner.query(`DROP TABLE alerts`);
    await queryRunner.query(`DROP TABLE alert_rules`);
  }
}
