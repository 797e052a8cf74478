import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The partitioned `logs` table, the batch ledger for exactly-once storage, and users / API keys.
 * Hand-written: TypeORM cannot generate PARTITION BY. Daily partitions are created by the
 * partition manager at start and on a schedule, not here.
 */
export class InitialSchema1763740000000 implements MigrationInterface {
  name = 'InitialSchema1763740000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Identity columns on partitioned tables need PostgreSQL 17; a sequence works on 15.
    // CACHE: each connection takes ids 1000 at a time, so COPY does not contend on the sequence.
    await queryRunner.query(`CREATE SEQUENCE logs_id_seq AS bigint CACHE 1000`);
    await queryRunner.query(`
      CREATE TABLE logs (
        id           bigint           NOT NULL DEFAULT nextval('logs_id_seq'),
        ts           timestamptz      NOT NULL,
        received_at  timestamptz      NOT NULL,
        level        smallint         NOT NULL CHECK (level BETWEEN 0 AND 7),
        source       text             NOT NULL,
        host         text,
        message      text             NOT NULL,
        raw          text,            -- NULL when the raw line equals the message (saves space)
        status_code  smallint,
        method       text,
        path         text,
        latency_ms   double precision,
        fields       jsonb,           -- NULL when there are no extra fields
        parse_error  text,
        PRIMARY KEY (id, ts)
      ) PARTITION BY RANGE (ts)`);
    await queryRunner.query(`ALTER SEQUENCE logs_id_seq OWNED BY logs.id`);
    // btree only: text indexes are a search-issue decision (MEASUREMENTS.md §8: a live GIN caps COPY).
    // (ts, id) serves the newest-first keyset order; (level|source, ts) serve the usual filters.
    await queryRunner.query(`CREATE INDEX logs_ts_id_idx ON logs (ts, id)`);
    await queryRunner.query(`CREATE INDEX logs_level_ts_idx ON logs (level, ts)`);
    await queryRunner.query(`CREATE INDEX logs_source_ts_idx ON logs (source, ts)`);
    // Lines whose day has no partition (year 1970, 2099, a clock far off) land here, never rejected.
    await queryRunner.query(`CREATE TABLE logs_default PARTITION OF logs DEFAULT`);

    await queryRunner.query(`
      CREATE TABLE ingest_batches (
        batch_id    text        PRIMARY KEY,
        line_count  integer     NOT NULL,
        stored_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX ingest_batches_stored_at_idx ON ingest_batches (stored_at)`,
    );

    await queryRunner.query(`
      CREATE TABLE users (
        id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        username       text        NOT NULL UNIQUE,
        password_hash  text        NOT NULL,
        role           text        NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE api_keys (
        id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        name          text        NOT NULL,
        prefix        text        NOT NULL,
        key_hash      text        NOT NULL UNIQUE,
        created_by    uuid        REFERENCES users (id) ON DELETE SET NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        last_used_at  timestamptz,
        revoked_at    timestamptz
      )`);
    await queryRunner.query(`
      CREATE TABLE settings (
        key         text        PRIMARY KEY,
        value       text        NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE settings`);
    await queryRunner.query(`DROP TABLE api_keys`);
    await queryRunner.query(`DROP TABLE users`);
    await queryRunner.query(`DROP TABLE ingest_batches`);
    await queryRunner.query(`DROP TABLE logs`);
  }
}
