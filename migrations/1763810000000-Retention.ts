import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention: the policy (one row), shorter ages per source, the runs (with their progress), the
 * log of every action taken, and the ledger of imported archives (importing twice is a no-op).
 */
export class Retention1763810000000 implements MigrationInterface {
  name = 'Retention1763810000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // One row. Limits are NULL (off) until an admin sets them: Lookout never deletes by surprise.
    await queryRunner.query(`
      CREATE TABLE retention_policy (
        id                 smallint    PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        max_age_days       integer     CHECK (max_age_days BETWEEN 1 AND 36500),
        disk_budget_bytes  bigint      CHECK (disk_budget_bytes > 0),
        archive            boolean     NOT NULL DEFAULT false,
        interval_minutes   integer     NOT NULL DEFAULT 60 CHECK (interval_minutes BETWEEN 1 AND 10080),
        updated_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`INSERT INTO retention_policy (id) VALUES (1)`);
    await queryRunner.query(`
      CREATE TABLE retention_source_policies (
        source        text    PRIMARY KEY CHECK (char_length(source) BETWEEN 1 AND 200),
        max_age_days  integer NOT NULL CHECK (max_age_days BETWEEN 1 AND 36500)
      )`);

    await queryRunner.query(`
      CREATE TABLE retention_runs (
        id                 uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        trigger            text        NOT NULL CHECK (trigger IN ('schedule', 'manual', 'budget')),
        requested_by       text,
        status             text        NOT NULL CHECK (status IN ('running', 'done', 'failed', 'interrupted')),
        started_at         timestamptz NOT NULL DEFAULT now(),
        finished_at        timestamptz,
        -- {phase, step, actions, rowsDeleted, bytesFreed, stepRows, skipped}
        progress           jsonb       NOT NULL DEFAULT '{}',
        error              text,
        total_bytes_after  bigint
      )`);
    await queryRunner.query(
      `CREATE INDEX retention_runs_started_idx ON retention_runs (started_at DESC)`,
    );

    await queryRunner.query(`
      CREATE TABLE retention_actions (
        id            bigserial   PRIMARY KEY,
        run_id        uuid        REFERENCES retention_runs (id) ON DELETE SET NULL,
        at            timestamptz NOT NULL DEFAULT now(),
        action        text        NOT NULL CHECK (action IN ('drop-partition', 'delete-rows', 'import-archive')),
        reason        text        NOT NULL CHECK (reason IN ('max-age', 'source-max-age', 'disk-budget', 'restore')),
        partition     text,
        source        text,
        range_from    timestamptz,
        range_to      timestamptz,
        rows          bigint      NOT NULL,
        bytes_freed   bigint      NOT NULL,
        archive_path  text,
        duration_ms   integer     NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX retention_actions_run_idx ON retention_actions (run_id)`);

    await queryRunner.query(`
      CREATE TABLE retention_archive_imports (
        archive_id     text        PRIMARY KEY,
        imported_at    timestamptz NOT NULL DEFAULT now(),
        rows_in_file   bigint      NOT NULL,
        rows_inserted  bigint      NOT NULL,
        manifest_path  text        NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE retention_archive_imports`);
    await queryRunner.query(`DROP TABLE retention_actions`);
    await queryRunner.query(`DROP TABLE retention_runs`);
    await queryRunner.query(`DROP TABLE retention_source_policies`);
    await queryRunner.query(`DROP TABLE retention_policy`);
  }
}
