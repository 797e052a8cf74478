import type { MigrationInterface, QueryRunner } from 'typeorm';

/** per-minute rollups and hourly partitions for fast search. */
export class SearchRollups1763820000000 implements MigrationInterface {
  name = 'SearchRollups1763820000000';

  async up(_queryRunner: QueryRunner): Promise<void> {
    // Filled in by the SearchRollups work.
  }

  async down(_queryRunner: QueryRunner): Promise<void> {
    // Filled in by the SearchRollups work.
  }
}
