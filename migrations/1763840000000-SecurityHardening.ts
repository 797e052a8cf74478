import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Refresh tokens, login lockout, API key scopes and source restriction. */
export class SecurityHardening1763840000000 implements MigrationInterface {
  name = 'SecurityHardening1763840000000';

  async up(_queryRunner: QueryRunner): Promise<void> {
    // Filled in by the security work.
  }

  async down(_queryRunner: QueryRunner): Promise<void> {
    // Filled in by the security work.
  }
}
