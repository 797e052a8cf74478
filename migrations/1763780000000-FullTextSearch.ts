import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `log_tsv(message)`: the words of a message for full-text search. Every run of characters that are
 * not letters or digits separates words, so `/api/orders/42` gives `api`, `orders`, `42` and
 * `Mozilla/5.0` gives `mozilla`, `5`, `0` (the `simple` parser alone keeps them whole and a search
 * for `orders` finds nothing). The query language normalises search words the same way.
 *
 * No index is created here: a GIN index kept up on every insert divides COPY speed by about 3
 * (MEASUREMENTS.md §8). The partition manager builds it on each day's partition once the day is over.
 */
export class FullTextSearch1763780000000 implements MigrationInterface {
  name = 'FullTextSearch1763780000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION log_tsv(message text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        RETURN to_tsvector('simple'::regconfig, regexp_replace(lower(message), '[^[:alnum:]]+', ' ', 'g'))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION log_tsv(text)`);
  }
}
