import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Configured sources, file-tail positions (advanced in the same transaction as the lines), uploads. */
export class SourcesAndUploads1763750000000 implements MigrationInterface {
  name = 'SourcesAndUploads1763750000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE sources (
        id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        name        text        NOT NULL UNIQUE,
        type        text        NOT NULL CHECK (type IN ('file', 'syslog', 'http')),
        settings    jsonb       NOT NULL DEFAULT '{}',
        enabled     boolean     NOT NULL DEFAULT true,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    // One row per tailed file content stream (fileKey = dev:inode:generation). `stored` holds the
    // byte ranges of the lines already stored; the worker adds to it in the same transaction as the
    // COPY of those lines and skips lines inside it, so a line read twice is stored once even when
    // batches commit out of order. `byte_offset` is where a restarted tailer resumes.
    await queryRunner.query(`
      CREATE TABLE file_offsets (
        source_id    uuid           NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
        file_key     text           NOT NULL,
        path         text           NOT NULL,
        byte_offset  bigint         NOT NULL,
        stored       int8multirange NOT NULL DEFAULT '{}',
        updated_at   timestamptz    NOT NULL DEFAULT now(),
        PRIMARY KEY (source_id, file_key)
      )`);
    await queryRunner.query(`
      CREATE TABLE uploads (
        id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        filename     text        NOT NULL,
        source       text        NOT NULL,
        status       text        NOT NULL CHECK (status IN ('pending', 'processing', 'done', 'failed')),
        total_bytes  bigint      NOT NULL,
        bytes_done   bigint      NOT NULL DEFAULT 0,
        lines_done   bigint      NOT NULL DEFAULT 0,
        lines_total  bigint,
        error        text,
        created_by   uuid,
        created_at   timestamptz NOT NULL DEFAULT now(),
        finished_at  timestamptz
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE uploads`);
    await queryRunner.query(`DROP TABLE file_offsets`);
    await queryRunner.query(`DROP TABLE sources`);
  }
}
