import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rollups for histograms and aggregations (docs/search-performance.md).
 *
 * `log_rollups`: one row per minute and dimension combination (source, level, host, status_code,
 * method, path) with the line count, latency count / sum / min / max and a latency histogram
 * (h00…h47: lines per latency bucket, NULL for none). The worker appends "partial" rows in the
 * transaction of each COPY (no upsert, so workers never wait on each other);
 * log_rollups_compact() merges them every few seconds. `log_rollups_hourly` holds the same per
 * hour, for long ranges. Invariants (kept by the functions below, each under one advisory lock):
 *   lines of a minute = its compacted rows + its partial rows;
 *   lines of an hour  = its hourly rows + the partial minute rows of that hour.
 *
 * Existing lines are rolled up here (one pass over `logs`).
 */

/** Lower bounds (ms) of latency buckets 1…47 as width_bucket takes them; bucket 0 is below 0.5. */
const LATENCY_BOUNDS = [
  0.5, 1, 1.5, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100, 120, 150, 200, 250,
  300, 400, 500, 600, 800, 1000, 1200, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 8000, 10000, 12000,
  15000, 20000, 30000, 60000, 120000, 300000,
];
const HISTOGRAM = Array.from(
  { length: LATENCY_BOUNDS.length + 1 },
  (_, i) => `h${String(i).padStart(2, '0')}`,
);
const BOUNDS_ARRAY = `'{${LATENCY_BOUNDS.join(',')}}'::float8[]`;
const ORIGIN = `'2000-01-03 00:00:00+00'::timestamptz`;
const DIMENSIONS = 'source, level, host, status_code, method, path';
const MEASURES = `lines, latency_count, latency_sum, latency_min, latency_max, ${HISTOGRAM.join(', ')}`;
const COLUMNS = `bucket, ${DIMENSIONS}, ${MEASURES}`;
/** The measures of a set of rollup rows, merged. */
const MERGED = `sum(lines)::integer, sum(latency_count)::integer, sum(latency_sum), min(latency_min),
  max(latency_max), ${HISTOGRAM.map((h) => `sum(${h})::integer`).join(', ')}`;
/** Serialises compaction, rebuilds and deletions of rollups (writers only append). */
const ROLLUP_LOCK_KEY = 4_242_004;

export class SearchRollups1763820000000 implements MigrationInterface {
  name = 'SearchRollups1763820000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Which latency bucket a value falls in (NULL for no latency); the writer computes the same
    // in TypeScript (libs/storage/src/rollups/rollup-buckets.ts, checked against this).
    await queryRunner.query(`
      CREATE FUNCTION log_latency_bucket(latency double precision) RETURNS integer
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        RETURN width_bucket(latency, ${BOUNDS_ARRAY})`);

    const table = (name: string, extra: string) => `
      CREATE TABLE ${name} (
        bucket         timestamptz      NOT NULL,
        source         text             NOT NULL,
        level          smallint         NOT NULL,
        host           text,
        status_code    smallint,
        method         text,
        path           text,
        lines          integer          NOT NULL,
        latency_count  integer          NOT NULL,
        latency_sum    double precision NOT NULL,
        latency_min    double precision,
        latency_max    double precision,
        ${HISTOGRAM.map((h) => `${h} integer`).join(', ')}${extra}
      )`;
    await queryRunner.query(table('log_rollups', ',\n partial boolean NOT NULL DEFAULT true'));
    await queryRunner.query(`CREATE INDEX log_rollups_bucket_idx ON log_rollups (bucket)`);
    // Compaction and hour-level reads look for the few partial rows.
    await queryRunner.query(
      `CREATE INDEX log_rollups_partial_idx ON log_rollups (bucket) WHERE partial`,
    );
    await queryRunner.query(table('log_rollups_hourly', ''));
    await queryRunner.query(
      `CREATE INDEX log_rollups_hourly_bucket_idx ON log_rollups_hourly (bucket)`,
    );

    // The rollup rows of the raw lines in [from_ts, to_ts), one per minute and dimensions. Not
    // STRICT and a single SELECT, so Postgres inlines it and pushes filters on the dimensions
    // down to the scan of `logs`. The bucket is computed once per line, then pivoted.
    await queryRunner.query(`
      CREATE FUNCTION log_rollup_rows(from_ts timestamptz, to_ts timestamptz)
        RETURNS TABLE (bucket timestamptz, source text, level smallint, host text,
          status_code smallint, method text, path text, lines integer, latency_count integer,
          latency_sum double precision, latency_min double precision, latency_max double precision,
          ${HISTOGRAM.map((h) => `${h} integer`).join(', ')})
        LANGUAGE sql STABLE PARALLEL SAFE
      AS $$
        SELECT bucket, ${DIMENSIONS}, sum(n)::integer, sum(latency_count)::integer,
               coalesce(sum(latency_sum), 0), min(latency_min), max(latency_max),
               ${HISTOGRAM.map((_, i) => `(sum(n) FILTER (WHERE b = ${i}))::integer`).join(', ')}
          FROM (SELECT date_bin('1 minute', ts, ${ORIGIN}) AS bucket, ${DIMENSIONS},
                       log_latency_bucket(latency_ms) AS b, count(*) AS n,
                       count(latency_ms) AS latency_count, sum(latency_ms) AS latency_sum,
                       min(latency_ms) AS latency_min, max(latency_ms) AS latency_max
                  FROM logs WHERE ts >= from_ts AND ts < to_ts
                 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) per_latency_bucket
         GROUP BY 1, 2, 3, 4, 5, 6, 7
      $$`);

    // An estimate of percentile_cont(fraction) from a histogram: the rank's bucket, values spread
    // evenly inside it; bucket edges clamped to the exact min and max, which are exact at 0 and 1.
    await queryRunner.query(`
      CREATE FUNCTION log_latency_quantile(counts bigint[], lowest double precision,
          highest double precision, fraction double precision) RETURNS double precision
        LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
      AS $$
      DECLARE
        bounds constant double precision[] := ${BOUNDS_ARRAY};
        total bigint := 0;
        position double precision;
        ranks bigint[];
        rank_values double precision[] := '{}';
        before bigint;
        here bigint;
        low double precision;
        high double precision;
      BEGIN
        FOR i IN 1 .. coalesce(array_length(counts, 1), 0) LOOP
          total := total + coalesce(counts[i], 0);
        END LOOP;
        IF total = 0 OR fraction IS NULL THEN RETURN NULL; END IF;
        position := fraction * (total - 1);
        ranks := ARRAY[floor(position)::bigint, ceil(position)::bigint];
        FOREACH here IN ARRAY ranks LOOP
          IF here = 0 THEN rank_values := rank_values || lowest; CONTINUE; END IF;
          IF here = total - 1 THEN rank_values := rank_values || highest; CONTINUE; END IF;
          before := 0;
          FOR i IN 1 .. array_length(counts, 1) LOOP
            IF here < before + coalesce(counts[i], 0) THEN
              -- counts[i] is bucket i - 1: [bounds[i - 1], bounds[i])
              low := greatest(coalesce(bounds[i - 1], lowest), lowest);
              high := least(coalesce(bounds[i], highest), highest);
              rank_values := rank_values
                || (low + (high - low) * ((here - before) + 0.5) / counts[i]);
              EXIT;
            END IF;
            before := before + coalesce(counts[i], 0);
          END LOOP;
        END LOOP;
        RETURN rank_values[1] + (rank_values[2] - rank_values[1]) * (position - floor(position));
      END $$`);

    // Merges the partial rows appended by the workers into one row per minute and dimensions, and
    // adds them to the hourly rows: one statement, so one snapshot (rows appended meanwhile stay
    // partial for the next round). Returns the partial rows merged, or -1 when another process
    // holds the rollup lock.
    await queryRunner.query(`
      CREATE FUNCTION log_rollups_compact() RETURNS integer LANGUAGE plpgsql AS $$
      DECLARE merged integer;
      BEGIN
        IF NOT pg_try_advisory_xact_lock(${ROLLUP_LOCK_KEY}) THEN RETURN -1; END IF;
        WITH batch AS (DELETE FROM log_rollups WHERE partial RETURNING ${COLUMNS}),
        old_minutes AS (
          DELETE FROM log_rollups WHERE NOT partial AND bucket IN (SELECT bucket FROM batch)
          RETURNING ${COLUMNS}),
        minutes AS (
          INSERT INTO log_rollups (${COLUMNS}, partial)
          SELECT bucket, ${DIMENSIONS}, ${MERGED}, false
            FROM (SELECT * FROM batch UNION ALL SELECT * FROM old_minutes) merged
           GROUP BY bucket, ${DIMENSIONS}),
        old_hours AS (
          DELETE FROM log_rollups_hourly
           WHERE bucket IN (SELECT date_bin('1 hour', bucket, ${ORIGIN}) FROM batch)
          RETURNING ${COLUMNS}),
        hours AS (
          INSERT INTO log_rollups_hourly (${COLUMNS})
          SELECT date_bin('1 hour', bucket, ${ORIGIN}), ${DIMENSIONS}, ${MERGED}
            FROM (SELECT * FROM batch UNION ALL SELECT * FROM old_hours) merged
           GROUP BY 1, ${DIMENSIONS})
        SELECT count(*) INTO merged FROM batch;
        RETURN merged;
      END $$`);

    // The hourly rows of [from_ts, to_ts) (whole hours), recomputed from the compacted minute rows.
    await queryRunner.query(`
      CREATE FUNCTION log_rollups_hours_from_minutes(from_ts timestamptz, to_ts timestamptz,
          only_source text) RETURNS void LANGUAGE sql AS $$
        WITH gone AS (
          DELETE FROM log_rollups_hourly
           WHERE bucket >= from_ts AND bucket < to_ts
             AND (only_source IS NULL OR source = only_source))
        INSERT INTO log_rollups_hourly (${COLUMNS})
        SELECT date_bin('1 hour', bucket, ${ORIGIN}), ${DIMENSIONS}, ${MERGED}
          FROM log_rollups
         WHERE NOT partial AND bucket >= from_ts AND bucket < to_ts
           AND (only_source IS NULL OR source = only_source)
         GROUP BY 1, ${DIMENSIONS}
      $$`);

    // Recomputes the rollups of [from_ts, to_ts) (widened to whole minutes) from the stored lines:
    // after lines were written without the worker (an archive restored, a bulk load).
    await queryRunner.query(`
      CREATE FUNCTION log_rollups_rebuild(from_ts timestamptz, to_ts timestamptz)
        RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        first_minute timestamptz := date_bin('1 minute', from_ts, ${ORIGIN});
        end_minute timestamptz := date_bin('1 minute', to_ts, ${ORIGIN});
      BEGIN
        IF from_ts >= to_ts THEN RETURN; END IF;
        IF end_minute < to_ts THEN end_minute := end_minute + interval '1 minute'; END IF;
        PERFORM pg_advisory_xact_lock(${ROLLUP_LOCK_KEY});
        -- One statement: lines committed after its snapshot keep their own partial rows.
        WITH gone AS (DELETE FROM log_rollups WHERE bucket >= first_minute AND bucket < end_minute)
        INSERT INTO log_rollups (${COLUMNS}, partial)
        SELECT *, false FROM log_rollup_rows(first_minute, end_minute);
        PERFORM log_rollups_hours_from_minutes(
          date_bin('1 hour', first_minute, ${ORIGIN}),
          CASE WHEN date_bin('1 hour', end_minute, ${ORIGIN}) < end_minute
               THEN date_bin('1 hour', end_minute, ${ORIGIN}) + interval '1 hour'
               ELSE end_minute END,
          NULL);
      END $$`);

    // Forgets the rollups of lines removed from [from_ts, to_ts) (of one source when given). Whole
    // minutes and hours inside the range are deleted; a minute cut by a bound is recomputed from
    // the lines still stored (so call it after removing the lines), an hour cut by a bound from
    // its minutes.
    await queryRunner.query(`
      CREATE FUNCTION log_rollups_forget(from_ts timestamptz, to_ts timestamptz, only_source text)
        RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        cut_minute timestamptz;
        cut_hour timestamptz;
        from_minute timestamptz := date_bin('1 minute', from_ts, ${ORIGIN});
        to_minute timestamptz := date_bin('1 minute', to_ts, ${ORIGIN});
        from_hour timestamptz := date_bin('1 hour', from_ts, ${ORIGIN});
        to_hour timestamptz := date_bin('1 hour', to_ts, ${ORIGIN});
      BEGIN
        IF from_ts >= to_ts THEN RETURN; END IF;
        PERFORM pg_advisory_xact_lock(${ROLLUP_LOCK_KEY});
        DELETE FROM log_rollups
         WHERE bucket >= CASE WHEN from_minute < from_ts THEN from_minute + interval '1 minute'
                              ELSE from_minute END
           AND bucket < to_minute
           AND (only_source IS NULL OR source = only_source);
        FOR cut_minute IN
          SELECT DISTINCT cut FROM (VALUES (from_minute, from_minute < from_ts),
                                           (to_minute, to_minute < to_ts)) AS cuts(cut, inside)
           WHERE inside
        LOOP
          WITH gone AS (
            DELETE FROM log_rollups
             WHERE bucket = cut_minute AND (only_source IS NULL OR source = only_source))
          INSERT INTO log_rollups (${COLUMNS}, partial)
          SELECT r.*, false FROM log_rollup_rows(cut_minute, cut_minute + interval '1 minute') r
           WHERE only_source IS NULL OR r.source = only_source;
        END LOOP;
        DELETE FROM log_rollups_hourly
         WHERE bucket >= CASE WHEN from_hour < from_ts THEN from_hour + interval '1 hour'
                              ELSE from_hour END
           AND bucket < to_hour
           AND (only_source IS NULL OR source = only_source);
        FOR cut_hour IN
          SELECT DISTINCT cut FROM (VALUES (from_hour, from_hour < from_ts),
                                           (to_hour, to_hour < to_ts)) AS cuts(cut, inside)
           WHERE inside
        LOOP
          PERFORM log_rollups_hours_from_minutes(cut_hour, cut_hour + interval '1 hour', only_source);
        END LOOP;
      END $$`);

    // The lines stored before this version.
    await queryRunner.query(`SELECT log_rollups_rebuild('-infinity', 'infinity')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION log_rollups_forget(timestamptz, timestamptz, text)`);
    await queryRunner.query(`DROP FUNCTION log_rollups_rebuild(timestamptz, timestamptz)`);
    await queryRunner.query(
      `DROP FUNCTION log_rollups_hours_from_minutes(timestamptz, timestamptz, text)`,
    );
    await queryRunner.query(`DROP FUNCTION log_rollups_compact()`);
    await queryRunner.query(
      `DROP FUNCTION log_latency_quantile(bigint[], double precision, double precision, double precision)`,
    );
    await queryRunner.query(`DROP FUNCTION log_rollup_rows(timestamptz, timestamptz)`);
    await queryRunner.query(`DROP TABLE log_rollups_hourly`);
    await queryRunner.query(`DROP TABLE log_rollups`);
    await queryRunner.query(`DROP FUNCTION log_latency_bucket(double precision)`);
  }
}
