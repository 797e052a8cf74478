import type { MigrationInterface, QueryRunner } from 'typeorm';

/** retention policies and the retention log. */
export class Retention1763810000000 implements MigrationInterface {
  name = 'Retention1763810000000';

  async up(_queryRunner: QueryRunner): Promise<void> {
    // Filled in by the Retention work.
  }

  async down(_queryRunner: QueryRunner): Promise<void> {
    // Filled in by the Retention work.
  }
}
