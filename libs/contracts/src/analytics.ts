import type { LogLevelName } from './levels';

/**
 * REST shapes of the dashboard's charts, tables, exports and saved searches.
 * Every time is ISO 8601 UTC; every count is a plain number.
 */

/** The time range a query actually ran over (defaults and relative times resolved). */
export interface ResolvedTimeRange {
  /** Inclusive start. */
  from: string;
  /** Exclusive end. */
  to: string;
}

/** `5m`, `1h`, `1d`… or `auto` (about 60 to 120 buckets over the range). */
export type HistogramInterval = string;

export interface HistogramBucket {
  /** Start of the bucket (buckets are aligned to UTC midnight). */
  ts: string;
  /** Matching lines in the bucket (0 for an empty bucket). */
  count: number;
}

/** One line of a split chart: `counts[i]` belongs to `buckets[i]`. */
export interface HistogramSeries {
  /** The split value, e.g. a level name. */
  name: string;
  counts: number[];
}

export interface HistogramResponse extends ResolvedTimeRange {
  /** The bucket width used, e.g. `5m` (the one chosen when `auto` was asked). */
  interval: string;
  intervalSeconds: number;
  /** Every bucket of the range, oldest first, empty ones included. */
  buckets: HistogramBucket[];
  /** With `split=level`: one series per level that occurs, most severe first; otherwise empty. */
  series: HistogramSeries[];
  /** Matching lines in the whole range. */
  total: number;
}

export const AGGREGATE_METRICS = ['count', 'rate', 'avg', 'p50', 'p95', 'p99'] as const;
export type AggregateMetric = (typeof AGGREGATE_METRICS)[number];

/** Columns that can be grouped by; `fields.<name>` groups by a parsed field. */
export const AGGREGATE_COLUMNS = ['path', 'host', 'source', 'level', 'method', 'status'] as const;

export interface AggregateGroup {
  /** The group's value as text (a level name for `level`, the number for `status`). */
  key: string;
  /** Lines in the group (for avg/percentiles: lines that carry a numeric value). */
  count: number;
  /** The metric: count, lines per minute, or the average/percentile of `field`. */
  value: number;
}

export interface AggregateResponse extends ResolvedTimeRange {
  groupBy: string;
  metric: AggregateMetric;
  /** The numeric column or field of avg/percentile metrics; null for count and rate. */
  field: string | null;
  /** Top groups, highest value first. Lines without a value for `groupBy` are left out. */
  groups: AggregateGroup[];
}

export interface EndpointCount {
  path: string;
  count: number;
}

export interface AnalyticsSummary extends ResolvedTimeRange {
  /** Matching lines. */
  total: number;
  /** Lines at level error or more severe (syslog severity ≤ 3). */
  errors: number;
  /** errors / total × 100; 0 when there are no lines. */
  errorPercentage: number;
  /** The 5 paths with the most lines. */
  topEndpoints: EndpointCount[];
}

export interface TrafficBucket {
  ts: string;
  /** Lines that carry a request path. */
  requests: number;
  /** Of those, lines at level error or more severe. */
  errors: number;
}

export interface TrafficResponse extends ResolvedTimeRange {
  interval: string;
  intervalSeconds: number;
  buckets: TrafficBucket[];
}

export interface SlowEndpoint {
  path: string;
  /** Lines of the path that carry a latency. */
  count: number;
  avgMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface SlowestEndpointsResponse extends ResolvedTimeRange {
  /** Highest p95 first. */
  endpoints: SlowEndpoint[];
}

export const EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Columns of a CSV export, in order. */
export const CSV_EXPORT_COLUMNS = [
  'id',
  'ts',
  'level',
  'source',
  'host',
  'status_code',
  'method',
  'path',
  'latency_ms',
  'message',
  'fields',
] as const;

/** Filters kept with a saved search; times are absolute (ISO 8601) or relative (`now-24h`). */
export interface SavedSearchFilters {
  from?: string;
  to?: string;
  levels?: LogLevelName[];
  sources?: string[];
}

export interface SavedSearch {
  id: string;
  name: string;
  /** Query-language text; empty matches everything. */
  query: string;
  filters: SavedSearchFilters;
  /** Visible to every user (read-only for all but the owner). */
  shared: boolean;
  owner: { id: string; username: string };
  /** True when the caller owns it (and may change or delete it). */
  mine: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface CreateSavedSearchRequest {
  name: string;
  query?: string;
  filters?: SavedSearchFilters;
  shared?: boolean;
}

export type UpdateSavedSearchRequest = Partial<CreateSavedSearchRequest>;
