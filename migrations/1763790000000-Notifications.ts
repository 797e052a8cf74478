import type { MigrationInterface, QueryRunner } from 'typeorm';

/** channels, recipients, templates, deliveries. */
export class Notifications1763790000000 implements MigrationInterface {
  name = 'Notifications1763790000000';

  async up(_queryRunner: QueryRunner): Promise<void> {
    // Filled in by the Notifications work.
  }

  async down(_queryRunner: QueryRunner): Promise<void> {
    // Filled in by the Notifications work.
  }
}
