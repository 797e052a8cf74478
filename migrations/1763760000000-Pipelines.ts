import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Parsing pipelines per source and user-defined grok patterns. */
export class Pipelines1763760000000 implements MigrationInterface {
  name = 'Pipelines1763760000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE pipelines (
        id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        name        text        NOT NULL UNIQUE,
        -- The source (line's \`source\`) the pipeline applies to; one pipeline per source.
        source      text        NOT NULL UNIQUE,
        steps       jsonb       NOT NULL,
        -- IANA zone or fixed offset (+02:00) for timestamps without a zone; NULL = UTC.
        time_zone   text,
        enabled     boolean     NOT NULL DEFAULT true,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE grok_patterns (
        name        text        PRIMARY KEY CHECK (name ~ '^[A-Z][A-Z0-9_]{0,63}$'),
        pattern     text        NOT NULL,
        description text,
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE grok_patterns`);
    await queryRunner.query(`DROP TABLE pipelines`);
  }
}
