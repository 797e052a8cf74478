import type { MigrationInterface, QueryRunner } from 'typeorm';

/** alert rules, alerts and their transitions, silences. */
export class Alerting1763800000000 implements MigrationInterface {
  name = 'Alerting1763800000000';

  async up(_queryRunner: QueryRunner): Promise<void> {
    // Filled in by the Alerting work.
  }

  async down(_queryRunner: QueryRunner): Promise<void> {
    // Filled in by the Alerting work.
  }
}
