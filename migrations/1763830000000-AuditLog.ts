import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The audit log of configuration changes (who, when, what, before and after). */
export class AuditLog1763830000000 implements MigrationInterface {
  name = 'AuditLog1763830000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit_log (
        id           bigserial   PRIMARY KEY,
        at           timestamptz NOT NULL DEFAULT now(),
        actor_kind   text        NOT NULL,
        actor_id     text        NOT NULL,
        actor_name   text        NOT NULL,
        action       text        NOT NULL,
        entity_type  text        NOT NULL,
        entity_id    text,
        before       jsonb,
        after        jsonb
      )`);
    await queryRunner.query(
      `CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, id DESC)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE audit_log`);
  }
}
