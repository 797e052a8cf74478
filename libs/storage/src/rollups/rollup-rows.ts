import type { Field, QueryNode } from '../query';
import { logFilterSql, type LineFilter, type LogFilter } from '../log-filter';
import { HOUR_MS, LATENCY_MEASURES, MINUTE_MS, ROLLUP_DIMENSIONS } from './rollup-columns';

/**
 * Whether the lines a filter selects can be counted from rollups: every condition is on a rollup
 * dimension (level, source, host, status, method, path). Free text, latency_ms and fields.* need
 * the lines themselves.
 */
export function filterFitsRollups(filter: LineFilter): boolean {
  return !filter.query || nodeFitsRollups(filter.query);
}

function nodeFitsRollups(node: QueryNode): boolean {
  switch (node.type) {
    case 'and':
    case 'or':
      return node.children.every(nodeFitsRollups);
    case 'not':
      return nodeFitsRollups(node.child);
    case 'level':
      return true;
    case 'equals':
    case 'like':
    case 'range':
    case 'exists':
      return fieldFitsRollups(node.field);
    case 'word':
    case 'phrase':
    case 'substring':
      return false;
  }
}

function fieldFitsRollups(field: Field): boolean {
  if (field.kind === 'text') return true;
  return field.kind === 'number' && field.column === 'status_code';
}

export interface RollupRowsOptions {
  /**
   * Hourly rows may stand for whole hours: the caller groups by nothing finer than an hour (no time
   * buckets, or buckets that are whole hours).
   */
  hourly: boolean;
  /** Include the latency measures (count, sum, min, max, histogram), not only `lines`. */
  latency: boolean;
}

type Piece = { kind: 'lines' | 'minutes' | 'hours'; from: number; to: number };

/**
 * The time range cut into what serves it: whole minutes from the minute rollups, whole hours from
 * the hourly ones (when allowed), and the partial minutes at both ends from the lines themselves,
 * so a range that does not start or end on a minute is still counted exactly.
 */
export function rollupPieces(from: number, to: number, hourly: boolean): Piece[] {
  const firstMinute = Math.ceil(from / MINUTE_MS) * MINUTE_MS;
  const endMinute = Math.floor(to / MINUTE_MS) * MINUTE_MS;
  if (firstMinute >= endMinute) return [{ kind: 'lines', from, to }];
  const pieces: Piece[] = [
    { kind: 'lines', from, to: firstMinute },
    { kind: 'minutes', from: firstMinute, to: endMinute },
    { kind: 'lines', from: endMinute, to },
  ];
  const firstHour = Math.ceil(firstMinute / HOUR_MS) * HOUR_MS;
  const endHour = Math.floor(endMinute / HOUR_MS) * HOUR_MS;
  if (hourly && firstHour < endHour) {
    pieces.splice(
      1,
      1,
      { kind: 'minutes', from: firstMinute, to: firstHour },
      { kind: 'hours', from: firstHour, to: endHour },
      { kind: 'minutes', from: endHour, to: endMinute },
    );
  }
  return pieces.filter((piece) => piece.from < piece.to);
}

/**
 * A FROM item (`(…) rollup`) with the rollup rows of the filter's lines: columns `bucket`, the
 * dimensions, `lines` and, with `latency`, the latency measures. Summing them gives exactly what
 * the same aggregate over `logs` gives for counts (and for latency sums up to rounding).
 */
export function rollupRowsSql(
  filter: LogFilter,
  options: RollupRowsOptions,
  param: (value: unknown) => string,
): string {
  const columns = [
    'bucket',
    ...ROLLUP_DIMENSIONS,
    'lines',
    ...(options.latency ? LATENCY_MEASURES : []),
  ].join(', ');
  // The filter without its time range: conditions on columns a rollup row has under the same name.
  const where = logFilterSql({ ...filter, from: undefined, to: undefined }, param);
  const branches = rollupPieces(filter.from.getTime(), filter.to.getTime(), options.hourly).flatMap(
    (piece) => {
      const from = `${param(new Date(piece.from))}::timestamptz`;
      const to = `${param(new Date(piece.to))}::timestamptz`;
      const range = `bucket >= ${from} AND bucket < ${to}`;
      switch (piece.kind) {
        case 'lines':
          return [`SELECT ${columns} FROM log_rollup_rows(${from}, ${to}) WHERE ${where}`];
        case 'minutes':
          return [`SELECT ${columns} FROM log_rollups WHERE ${range} AND ${where}`];
        case 'hours':
          // An hour's lines: its hourly rows plus its minute rows not yet compacted.
          return [
            `SELECT ${columns} FROM log_rollups_hourly WHERE ${range} AND ${where}`,
            `SELECT ${columns} FROM log_rollups WHERE partial AND ${range} AND ${where}`,
          ];
      }
    },
  );
  return `(${branches.join('\n  UNION ALL ')}) rollup`;
}
