import { compileQueryToSql, type QueryNode } from './query';

/** What a search or an analytics request narrows the lines by. */
export interface LineFilter {
  from?: Date;
  to?: Date;
  /** Syslog severities to include. */
  levels?: number[];
  sources?: string[];
  hosts?: string[];
  /** Parsed query-language expression; null or absent matches everything. */
  query?: QueryNode | null;
}

/** The filter of an analytics request: its time range is always bounded. */
export interface LogFilter extends LineFilter {
  from: Date;
  to: Date;
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
 * The WHERE condition of a filter over the `logs` table (unqualified columns; `TRUE` for an empty
 * filter). The time bounds come first: they prune partitions and lead the (ts, …) and
 * (level|source, ts) indexes.
 */
export function logFilterSql(filter: LineFilter, param: (value: unknown) => string): string {
  const where: string[] = [];
  if (filter.from) where.push(`ts >= ${param(filter.from)}::timestamptz`);
  if (filter.to) where.push(`ts < ${param(filter.to)}::timestamptz`);
  if (filter.levels?.length) where.push(`level = ANY(${param(filter.levels)}::smallint[])`);
  if (filter.sources?.length) where.push(`source = ANY(${param(filter.sources)}::text[])`);
  if (filter.hosts?.length) where.push(`host = ANY(${param(filter.hosts)}::text[])`);
  if (filter.query) where.push(`(${compileQueryToSql(filter.query, param)})`);
  return where.length > 0 ? where.join(' AND ') : 'TRUE';
}
