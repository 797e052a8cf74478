import { Injectable } from '@nestjs/common';
import {
  levelName,
  type AggregateMetric,
  type AggregateResponse,
  type AnalyticsSummary,
  type HistogramResponse,
  type SlowestEndpointsResponse,
  type TrafficResponse,
} from '@app/contracts';
import { toQueryError } from './analytics-request';
import { BUCKET_ORIGIN, bucketStarts, type BucketInterval } from './intervals';
import { logFilterSql, SqlParams, type LogFilter } from '../log-filter';
import { ReadTransactions } from './read-transaction.service';

/** Severities counted as errors: emergency, alert, critical, error. */
export const ERROR_LEVEL_MAX = 3;

/** A numeric JSON number, or a string holding a plain decimal number (bounded: no overflow). */
const NUMERIC_TEXT = String.raw`^\s*-?[0-9]{1,30}(\.[0-9]{1,30})?([eE][-+]?[0-9]{1,2})?\s*$`;

export interface AggregateRequest {
  groupBy: string;
  metric: AggregateMetric;
  /** Numeric column or field for avg/percentiles. */
  field: string;
  limit: number;
}

/** Time buckets, group-bys and percentiles over `logs`, each in a bounded read transaction. */
@Injectable()
export class LogAnalyticsService {
  constructor(private readonly transactions: ReadTransactions) {}

  /** Counts per bucket (optionally per level), every bucket of the range present. */
  async histogram(
    filter: LogFilter,
    interval: BucketInterval,
    splitByLevel: boolean,
  ): Promise<HistogramResponse> {
    const params = new SqlParams();
    const bucket = bucketSql(interval, params.add);
    const where = whereSql(filter, params.add);
    const sql = splitByLevel
      ? `SELECT ${bucket} AS bucket, level, count(*)::text AS count
         FROM logs WHERE ${where} GROUP BY 1, 2`
      : `SELECT ${bucket} AS bucket, NULL::smallint AS level, count(*)::text AS count
         FROM logs WHERE ${where} GROUP BY 1`;
    const rows = await this.transactions.run((tx) =>
      tx.query<{ bucket: Date; level: number | null; count: string }>(sql, params.values),
    );

    const starts = bucketStarts(filter.from, filter.to, interval.seconds);
    const index = new Map(starts.map((start, i) => [start, i]));
    const totals = starts.map(() => 0);
    const byLevel = new Map<number, number[]>();
    for (const row of rows) {
      const i = index.get(row.bucket.getTime());
      if (i === undefined) continue; // cannot happen: every matching ts lies in [from, to)
      const count = Number(row.count);
      totals[i] += count;
      if (row.level === null) continue;
      let counts = byLevel.get(row.level);
      if (!counts) byLevel.set(row.level, (counts = starts.map(() => 0)));
      counts[i] += count;
    }
    return {
      ...range(filter),
      interval: interval.label,
      intervalSeconds: interval.seconds,
      buckets: starts.map((start, i) => ({ ts: new Date(start).toISOString(), count: totals[i] })),
      series: [...byLevel.entries()]
        .sort(([a], [b]) => a - b)
        .map(([level, counts]) => ({ name: levelName(level), counts })),
      total: totals.reduce((sum, count) => sum + count, 0),
    };
  }

  /** Top groups by a metric (count, rate, avg or a percentile of a numeric column/field). */
  async aggregate(filter: LogFilter, request: AggregateRequest): Promise<AggregateResponse> {
    const params = new SqlParams();
    const where = whereSql(filter, params.add);
    const key = groupKeySql(request.groupBy, params.add);
    const numeric = request.metric === 'count' || request.metric === 'rate';
    const value = numeric ? undefined : numericSql(request.field, params.add);
    const minutes = (filter.to.getTime() - filter.from.getTime()) / 60_000;
    const metric = {
      count: () => 'count(*)::float8',
      rate: () => `count(*)::float8 / ${params.add(minutes)}::float8`,
      avg: () => `avg(${value})`,
      p50: () => `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${value})`,
      p95: () => `percentile_cont(0.95) WITHIN GROUP (ORDER BY ${value})`,
      p99: () => `percentile_cont(0.99) WITHIN GROUP (ORDER BY ${value})`,
    }[request.metric]();
    const sql = `SELECT ${key.sql} AS key, count(*)::text AS count, ${metric} AS value
      FROM logs
      WHERE ${where} AND ${key.sql} IS NOT NULL${value ? ` AND ${value} IS NOT NULL` : ''}
      GROUP BY 1 ORDER BY 3 DESC, 1 LIMIT ${params.add(request.limit)}`;
    const rows = await this.transactions.run((tx) =>
      tx.query<{ key: string | number; count: string; value: number }>(sql, params.values),
    );
    return {
      ...range(filter),
      groupBy: request.groupBy,
      metric: request.metric,
      field: numeric ? null : request.field,
      groups: rows.map((row) => ({
        key: key.isLevel ? levelName(Number(row.key)) : String(row.key),
        count: Number(row.count),
        value: row.value,
      })),
    };
  }

  /** Total lines, the share at error level or worse, and the 5 busiest paths. */
  async summary(filter: LogFilter): Promise<AnalyticsSummary> {
    const params = new SqlParams();
    const where = whereSql(filter, params.add);
    const [totals, endpoints] = await this.transactions.run(async (tx) => [
      await tx.query<{ total: string; errors: string }>(
        `SELECT count(*)::text AS total,
                count(*) FILTER (WHERE level <= ${ERROR_LEVEL_MAX})::text AS errors
         FROM logs WHERE ${where}`,
        params.values,
      ),
      await tx.query<{ path: string; count: string }>(
        `SELECT path, count(*)::text AS count FROM logs
         WHERE ${where} AND path IS NOT NULL
         GROUP BY path ORDER BY count(*) DESC, path LIMIT 5`,
        params.values,
      ),
    ]);
    const total = Number(totals[0]?.total ?? 0);
    const errors = Number(totals[0]?.errors ?? 0);
    return {
      ...range(filter),
      total,
      errors,
      errorPercentage: total === 0 ? 0 : (errors * 100) / total,
      topEndpoints: endpoints.map((row) => ({ path: row.path, count: Number(row.count) })),
    };
  }

  /** Requests (lines with a path) per bucket, and how many of them are errors. */
  async traffic(filter: LogFilter, interval: BucketInterval): Promise<TrafficResponse> {
    const params = new SqlParams();
    const bucket = bucketSql(interval, params.add);
    const where = whereSql(filter, params.add);
    const rows = await this.transactions.run((tx) =>
      tx.query<{ bucket: Date; requests: string; errors: string }>(
        `SELECT ${bucket} AS bucket, count(*)::text AS requests,
                count(*) FILTER (WHERE level <= ${ERROR_LEVEL_MAX})::text AS errors
         FROM logs WHERE ${where} AND path IS NOT NULL GROUP BY 1`,
        params.values,
      ),
    );
    const found = new Map(rows.map((row) => [row.bucket.getTime(), row]));
    return {
      ...range(filter),
      interval: interval.label,
      intervalSeconds: interval.seconds,
      buckets: bucketStarts(filter.from, filter.to, interval.seconds).map((start) => {
        const row = found.get(start);
        return {
          ts: new Date(start).toISOString(),
          requests: Number(row?.requests ?? 0),
          errors: Number(row?.errors ?? 0),
        };
      }),
    };
  }

  /** Paths by p95 latency, with count, average, p50 and p99. */
  async slowestEndpoints(filter: LogFilter, limit: number): Promise<SlowestEndpointsResponse> {
    const params = new SqlParams();
    const where = whereSql(filter, params.add);
    // The three percentile_cont share one sort per group (same ORDER BY).
    const rows = await this.transactions.run((tx) =>
      tx.query<{ path: string; count: string; avg: number; p50: number; p95: number; p99: number }>(
        `SELECT path, count(*)::text AS count, avg(latency_ms) AS avg,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50,
                percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95,
                percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99
         FROM logs WHERE ${where} AND path IS NOT NULL AND latency_ms IS NOT NULL
         GROUP BY path ORDER BY p95 DESC, path LIMIT ${params.add(limit)}`,
        params.values,
      ),
    );
    return {
      ...range(filter),
      endpoints: rows.map((row) => ({
        path: row.path,
        count: Number(row.count),
        avgMs: row.avg,
        p50Ms: row.p50,
        p95Ms: row.p95,
        p99Ms: row.p99,
      })),
    };
  }
}

function range(filter: LogFilter): { from: string; to: string } {
  return { from: filter.from.toISOString(), to: filter.to.toISOString() };
}

/** The filter's WHERE; a query the compiler refuses becomes a 400 like a syntax error. */
function whereSql(filter: LogFilter, param: (value: unknown) => string): string {
  try {
    return logFilterSql(filter, param);
  } catch (error) {
    throw toQueryError(error);
  }
}

/**
 * Bucket start, aligned like intervals.ts bucketStart. Grouped as the timestamptz date_bin returns
 * (converting every row to epoch text before grouping doubled the time of a 1M-row histogram).
 */
function bucketSql(interval: BucketInterval, param: (value: unknown) => string): string {
  const width = param(`${interval.seconds} seconds`);
  return `date_bin(${width}::interval, ts, ${param(BUCKET_ORIGIN)}::timestamptz)`;
}

const COLUMN_KEYS: Record<string, string> = {
  path: 'path',
  host: 'host',
  source: 'source',
  method: 'method',
  level: 'level',
  status: 'status_code',
  status_code: 'status_code',
};

/** The grouping expression: a column, or a parsed field as text (its name is a parameter). */
function groupKeySql(
  groupBy: string,
  param: (value: unknown) => string,
): { sql: string; isLevel: boolean } {
  if (groupBy.startsWith('fields.')) {
    return { sql: `(fields ->> ${param(groupBy.slice('fields.'.length))}::text)`, isLevel: false };
  }
  const column = COLUMN_KEYS[groupBy];
  if (!column) throw new Error(`unknown groupBy ${groupBy}`); // the DTO allows only the above
  return { sql: column, isLevel: column === 'level' };
}

/**
 * A numeric column, or a parsed field read as a number: JSON numbers, and strings that hold a
 * plain decimal number; anything else is NULL (left out), never a cast error.
 */
function numericSql(field: string, param: (value: unknown) => string): string {
  if (field === 'latency_ms') return 'latency_ms';
  if (field === 'status' || field === 'status_code') return 'status_code::float8';
  if (!field.startsWith('fields.')) throw new Error(`unknown numeric field ${field}`);
  const name = `${param(field.slice('fields.'.length))}::text`;
  return `(CASE jsonb_typeof(fields -> ${name})
    WHEN 'number' THEN (fields ->> ${name})::float8
    WHEN 'string' THEN CASE WHEN (fields ->> ${name}) ~ '${NUMERIC_TEXT}' THEN (fields ->> ${name})::float8 END
  END)`;
}
