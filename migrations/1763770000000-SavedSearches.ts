import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Saved searches: per user (deleted with the user), optionally shared read-only with everyone. */
export class SavedSearches1763770000000 implements MigrationInterface {
  name = 'SavedSearches1763770000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE saved_searches (
        id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        name        text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
        query       text        NOT NULL DEFAULT '',
        -- {from, to (ISO or "now-24h"), levels, sources}
        filters     jsonb       NOT NULL DEFAULT '{}',
        shared      boolean     NOT NULL DEFAULT false,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    // One name per owner; also serves "my searches" and the ON DELETE CASCADE lookup.
    await queryRunner.query(
      `CREATE UNIQUE INDEX saved_searches_owner_name_idx ON saved_searches (owner_id, name)`,
    );
    await queryRunner.query(
      `CREATE INDEX saved_searches_shared_idx ON saved_searches (owner_id) WHERE shared`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE saved_searches`);
  }
}
