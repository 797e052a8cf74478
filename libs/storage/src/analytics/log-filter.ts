import { compileQueryToSql, type QueryNode } from '../query';

/** What every analytics request narrows the lines by. The time range is always bounded. */
export interface LogFilter {
  from: Date;
  to: Date;
  /** Syslog severities to include. */
  levels?: number[];
  sources?: string[];
  hosts?: string[];
  /** Parsed query-language expression; null matches everything. */
  query: QueryNode | null;
}

/** Collects positional parameters: `add(value)` returns its placeholder (`$3`). */
export class SqlParams {
  readonly values: unknown[] = [];
  readonly add = (value: unknown): string => {
    this.values.push(value);
    return `$${this.values.length}`;
  };
}

/**
 * The WHERE condition of a filter over the `logs` table (unqualified columns). The time bounds
 * come first: they prune partitions and lead the (ts, …) and (level|source, ts) indexes.
 */
export function logFilterSql(filter: LogFilter, param: (value: unknown) => string): string {
  const where = [
    `ts >= ${param(filter.from)}::timestamptz`,
    `ts < ${param(filter.to)}::timestamptz`,
  ];
  if (filter.levels?.length) where.push(`level = ANY(${param(filter.levels)}::smallint[])`);
  if (filter.sources?.length) where.push(`source = ANY(${param(filter.sources)}::text[])`);
  if (filter.hosts?.length) where.push(`host = ANY(${param(filter.hosts)}::text[])`);
  if (filter.query) where.push(`(${compileQueryToSql(filter.query, param)})`);
  return where.join(' AND ');
}
