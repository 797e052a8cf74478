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
import { HISTOGRAM_COLUMNS } from '../rollups/rollup-columns';
import { filterFitsRollups, rollupRowsSql } from '../rollups/rollup-rows';
import { ReadTransactions, type ReadTransaction } from './read-transaction.service';

/** Severities counted as errors: emergency, alert, critical, error. */
export const ERROR_LEVEL_MAX = 3;

/**
 * Percentiles are computed exactly from the lines when the range holds at most this many lines (a
 * sort of that size takes tens of milliseconds); above, they are interpolated from the rollups'
 * latency histograms (buckets at most 1.5× wide, 1.2–1.33× from 10 ms to 60 s).
 */
export const EXACT_PERCENTILE_MAX_LINES = 100_000;

/** A numeric JSON number, or a string holding a plain decimal number (bounded: no overflow). */
const NUMERIC_TEXT = String.raw`^\s*-?[0-9]{1,30}(\.[0-9]{1,30})?([eE][-+]?[0-9]{1,2})?\s*$`;

export interface AggregateRequest {
  groupBy: string;
  metric: AggregateMetric;
  /** Numeric column or field for avg/percentiles. */
  field: string;
  limit: number;
}

/**
 * Time buckets, group-bys and percentiles, each in a bounded read transaction. They read the
 * per-minute and hourly rollups when the filter only names rollup dimensions (docs/search-
 * performance.md), and the `logs` table otherwise; counts are the same either way.
 */
@Injectable()
export class LogAnalyticsService {
  /** Read rollups where they can serve a request; tests turn it off to compare with the lines. */
  useRollups = true;
  /** See EXACT_PERCENTILE_MAX_LINES; tests lower it to compare interpolated percentiles. */
  exactPercentileMaxLines = EXACT_PERCENTILE_MAX_LINES;

  constructor(private readonly transactions: ReadTransactions) {}

  /** Counts per bucket (optionally per level), every bucket of the range present. */
  async histogram(
    filter: LogFilter,
    interval: BucketInterval,
    splitByLevel: boolean,
  ): Promise<HistogramResponse> {
    const params = new SqlParams();
    const lines = this.lines(filter, params.add, { bucketSeconds: interval.seconds });
    const bucket = bucketSql(interval, params.add, lines.time);
    const sql = splitByLevel
      ? `SELECT ${bucket} AS bucket, level, ${lines.count}::text AS count
         FROM ${lines.from()} GROUP BY 1, 2`
      : `SELECT ${bucket} AS bucket, NULL::smallint AS level, ${lines.count}::text AS count
         FROM ${lines.from()} GROUP BY 1`;
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
    const numeric = request.metric === 'count' || request.metric === 'rate';
    const percentile = !numeric && request.metric !== 'avg';
    const minutes = (filter.to.getTime() - filter.from.getTime()) / 60_000;
    const fitsRollups =
      this.rollupsServe(filter) &&
      !request.groupBy.startsWith('fields.') &&
      (numeric || request.field === 'latency_ms');

    const fromRollups = (tx: ReadTransaction) => {
      const params = new SqlParams();
      const key = groupKeySql(request.groupBy, params.add);
      const lines = rollupLines(filter, params.add, { hourly: true, latency: !numeric });
      // For avg and percentiles, the lines that carry a latency (as the raw path counts them).
      const count = numeric ? lines.count : 'sum(latency_count)';
      const metric = {
        count: () => `${count}::float8`,
        rate: () => `${count}::float8 / ${params.add(minutes)}::float8`,
        avg: () => 'sum(latency_sum) / sum(latency_count)',
        p50: () => histogramQuantileSql(params.add(0.5)),
        p95: () => histogramQuantileSql(params.add(0.95)),
        p99: () => histogramQuantileSql(params.add(0.99)),
      }[request.metric]();
      return tx.query<GroupRow & { matched: string }>(
        `SELECT ${key} AS key, ${count}::text AS count, ${metric} AS value,
                (sum(${count}) OVER ())::text AS matched
         FROM ${lines.from(`${key} IS NOT NULL${numeric ? '' : ' AND latency_count > 0'}`)}
         GROUP BY 1 ORDER BY 3 DESC, 1 LIMIT ${params.add(request.limit)}`,
        params.values,
      );
    };
    const fromLines = (tx: ReadTransaction) => {
      const params = new SqlParams();
      const key = groupKeySql(request.groupBy, params.add);
      const where = whereSql(filter, params.add);
      const value = numeric ? undefined : numericSql(request.field, params.add);
      const metric = {
        count: () => 'count(*)::float8',
        rate: () => `count(*)::float8 / ${params.add(minutes)}::float8`,
        avg: () => `avg(${value})`,
        p50: () => `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${value})`,
        p95: () => `percentile_cont(0.95) WITHIN GROUP (ORDER BY ${value})`,
        p99: () => `percentile_cont(0.99) WITHIN GROUP (ORDER BY ${value})`,
      }[request.metric]();
      return tx.query<GroupRow>(
        `SELECT ${key} AS key, count(*)::text AS count, ${metric} AS value
         FROM logs
         WHERE ${where} AND ${key} IS NOT NULL${value ? ` AND ${value} IS NOT NULL` : ''}
         GROUP BY 1 ORDER BY 3 DESC, 1 LIMIT ${params.add(request.limit)}`,
        params.values,
      );
    };

    const rows = await this.transactions.run(async (tx): Promise<GroupRow[]> => {
      if (!fitsRollups) return fromLines(tx);
      const estimated = await fromRollups(tx);
      const matched = Number(estimated[0]?.matched ?? 0);
      return percentile && (await this.percentilesExact(tx, filter, matched))
        ? fromLines(tx)
        : estimated;
    });
    const isLevel = request.groupBy === 'level';
    return {
      ...range(filter),
      groupBy: request.groupBy,
      metric: request.metric,
      field: numeric ? null : request.field,
      groups: rows.map((row) => ({
        key: isLevel ? levelName(Number(row.key)) : String(row.key),
        count: Number(row.count),
        value: row.value,
      })),
    };
  }

  /** Total lines, the share at error level or worse, and the 5 busiest paths. */
  async summary(filter: LogFilter): Promise<AnalyticsSummary> {
    const params = new SqlParams();
    const lines = this.lines(filter, params.add, {});
    const [totals, endpoints] = await this.transactions.run(async (tx) => [
      await tx.query<{ total: string; errors: string }>(
        `SELECT coalesce(${lines.count}, 0)::text AS total,
                coalesce(${lines.countIf(`level <= ${ERROR_LEVEL_MAX}`)}, 0)::text AS errors
         FROM ${lines.from()}`,
        params.values,
      ),
      await tx.query<{ path: string; count: string }>(
        `SELECT path, ${lines.count}::text AS count FROM ${lines.from('path IS NOT NULL')}
         GROUP BY path ORDER BY ${lines.count} DESC, path LIMIT 5`,
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
    const lines = this.lines(filter, params.add, { bucketSeconds: interval.seconds });
    const bucket = bucketSql(interval, params.add, lines.time);
    const rows = await this.transactions.run((tx) =>
      tx.query<{ bucket: Date; requests: string; errors: string }>(
        `SELECT ${bucket} AS bucket, ${lines.count}::text AS requests,
                coalesce(${lines.countIf(`level <= ${ERROR_LEVEL_MAX}`)}, 0)::text AS errors
         FROM ${lines.from('path IS NOT NULL')} GROUP BY 1`,
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
    const fromRollups = (tx: ReadTransaction) => {
      const params = new SqlParams();
      const lines = rollupLines(filter, params.add, { hourly: true, latency: true });
      return tx.query<EndpointRow & { matched: string }>(
        `SELECT path, sum(latency_count)::text AS count,
                sum(latency_sum) / sum(latency_count) AS avg,
                ${histogramQuantileSql(params.add(0.5))} AS p50,
                ${histogramQuantileSql(params.add(0.95))} AS p95,
                ${histogramQuantileSql(params.add(0.99))} AS p99,
                (sum(sum(latency_count)) OVER ())::text AS matched
         FROM ${lines.from('path IS NOT NULL AND latency_count > 0')}
         GROUP BY path ORDER BY p95 DESC, path LIMIT ${params.add(limit)}`,
        params.values,
      );
    };
    const fromLines = (tx: ReadTransaction) => {
      const params = new SqlParams();
      const where = whereSql(filter, params.add);
      // The three percentile_cont share one sort per group (same ORDER BY).
      return tx.query<EndpointRow>(
        `SELECT path, count(*)::text AS count, avg(latency_ms) AS avg,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50,
                percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95,
                percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99
         FROM logs WHERE ${where} AND path IS NOT NULL AND latency_ms IS NOT NULL
         GROUP BY path ORDER BY p95 DESC, path LIMIT ${params.add(limit)}`,
        params.values,
      );
    };
    const rows = await this.transactions.run(async (tx): Promise<EndpointRow[]> => {
      if (!this.rollupsServe(filter)) return fromLines(tx);
      const estimated = await fromRollups(tx);
      const matched = Number(estimated[0]?.matched ?? 0);
      return (await this.percentilesExact(tx, filter, matched)) ? fromLines(tx) : estimated;
    });
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

  /** Whether rollups can stand for the filter's lines (the one place that decides). */
  private rollupsServe(filter: LogFilter, bucketSeconds?: number): boolean {
    // Minute rows fit buckets of whole minutes only (charts' buckets are aligned to minutes).
    return (
      this.useRollups &&
      filterFitsRollups(filter) &&
      (bucketSeconds === undefined || bucketSeconds % 60 === 0)
    );
  }

  /** The lines of a count: rollups when they serve the filter, else the table. */
  private lines(
    filter: LogFilter,
    param: (value: unknown) => string,
    { bucketSeconds }: { bucketSeconds?: number },
  ): LineSource {
    if (!this.rollupsServe(filter, bucketSeconds)) return tableLines(filter, param);
    // Hourly rows fit when nothing finer than whole hours is asked.
    const hourly = bucketSeconds === undefined || bucketSeconds % 3600 === 0;
    return rollupLines(filter, param, { hourly, latency: false });
  }

  /**
   * Whether exact percentiles are cheap, given how many values the rollups matched: at most
   * exactPercentileMaxLines of them, and at most as many lines in the whole range (what the exact
   * computation has to read, whatever the filter), counted from the rollups.
   */
  private async percentilesExact(
    tx: ReadTransaction,
    filter: LogFilter,
    matched: number,
  ): Promise<boolean> {
    if (matched > this.exactPercentileMaxLines) return false;
    const params = new SqlParams();
    const all = { from: filter.from, to: filter.to, query: null };
    const rows = rollupRowsSql(all, { hourly: true, latency: false }, params.add);
    const [{ lines }] = await tx.query<{ lines: string }>(
      `SELECT coalesce(sum(lines), 0)::text AS lines FROM ${rows}`,
      params.values,
    );
    return Number(lines) <= this.exactPercentileMaxLines;
  }
}

interface GroupRow {
  key: string | number;
  count: string;
  value: number;
}

interface EndpointRow {
  path: string;
  count: string;
  avg: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Where a count reads its lines: the `logs` table, or rollup rows that stand for them. */
interface LineSource {
  /** The FROM item and its WHERE (the filter's, and `extra` if given). */
  from(extra?: string): string;
  /** Lines of a group. */
  count: string;
  /** Lines of a group for which the condition holds. */
  countIf(condition: string): string;
  /** The time column to bucket by. */
  time: string;
}

function tableLines(filter: LogFilter, param: (value: unknown) => string): LineSource {
  const where = whereSql(filter, param);
  return {
    from: (extra) => `logs WHERE ${where}${extra ? ` AND ${extra}` : ''}`,
    count: 'count(*)',
    countIf: (condition) => `count(*) FILTER (WHERE ${condition})`,
    time: 'ts',
  };
}

function rollupLines(
  filter: LogFilter,
  param: (value: unknown) => string,
  options: { hourly: boolean; latency: boolean },
): LineSource {
  let rows: string;
  try {
    rows = rollupRowsSql(filter, options, param);
  } catch (error) {
    throw toQueryError(error);
  }
  return {
    from: (extra) => `${rows}${extra ? ` WHERE ${extra}` : ''}`,
    count: 'sum(lines)',
    countIf: (condition) => `sum(lines) FILTER (WHERE ${condition})`,
    time: 'bucket',
  };
}

/** A percentile of latency_ms interpolated from the summed histograms of a group's rollup rows. */
function histogramQuantileSql(fraction: string): string {
  const counts = HISTOGRAM_COLUMNS.map((column) => `sum(${column})`).join(', ');
  return `log_latency_quantile(ARRAY[${counts}]::bigint[], min(latency_min), max(latency_max), ${fraction}::float8)`;
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
function bucketSql(
  interval: BucketInterval,
  param: (value: unknown) => string,
  column: string,
): string {
  const width = param(`${interval.seconds} seconds`);
  return `date_bin(${width}::interval, ${column}, ${param(BUCKET_ORIGIN)}::timestamptz)`;
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
function groupKeySql(groupBy: string, param: (value: unknown) => string): string {
  if (groupBy.startsWith('fields.')) {
    return `(fields ->> ${param(groupBy.slice('fields.'.length))}::text)`;
  }
  const column = COLUMN_KEYS[groupBy];
  if (!column) throw new Error(`unknown groupBy ${groupBy}`); // the DTO allows only the above
  return column;
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
