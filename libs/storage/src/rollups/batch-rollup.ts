import { copyNumber, copyText } from '../copy-encoding';
import { HISTOGRAM_COLUMNS, latencyBucket, ROLLUP_COLUMNS } from './rollup-columns';

/** What a rollup keeps of one stored line. */
export interface RollupLine {
  /** The stored timestamp as written to COPY: `2026-11-21T10:00:00.123456Z`. */
  ts: string;
  level: number;
  source: string;
  host: string | null;
  statusCode: number | null;
  method: string | null;
  path: string | null;
  latencyMs: number | null;
}

interface Group {
  line: RollupLine;
  bucket: string;
  lines: number;
  latencyCount: number;
  latencySum: number;
  latencyMin: number;
  latencyMax: number;
  histogram: number[];
}

/**
 * A text dimension in a group key: `-` for none, `=` and the value otherwise. NUL separates the
 * parts of a key, so it is taken out of values, as COPY takes it out of stored text (copyText).
 */
function field(value: string | null): string {
  if (value === null) return '-';
  return value.includes('\0') ? `=${value.replace(/\0/g, '')}` : `=${value}`;
}

/** `COPY log_rollups (…) FROM STDIN` for the rows of BatchRollup.copyLines(). */
export const ROLLUP_COPY_SQL = `COPY log_rollups (${ROLLUP_COLUMNS.join(', ')}) FROM STDIN`;

/**
 * Adds up the lines of one batch into partial rollup rows: one per minute and dimensions, the same
 * rows log_rollup_rows() computes from the stored lines. The minute is cut from the timestamp text
 * as stored, so a line lands in the minute Postgres puts it in. Fed line by line while the batch's
 * COPY text is built, so no per-line object is kept for it.
 */
export class BatchRollup {
  private readonly groups = new Map<string, Group>();

  add(line: RollupLine): void {
    const bucket = `${line.ts.slice(0, 16)}:00Z`;
    const key = `${bucket}\0${field(line.source)}\0${line.level}\0${field(line.host)}\0${
      line.statusCode
    }\0${field(line.method)}\0${field(line.path)}`;
    let group = this.groups.get(key);
    if (!group) {
      group = {
        line: { ...line },
        bucket,
        lines: 0,
        latencyCount: 0,
        latencySum: 0,
        latencyMin: Infinity,
        latencyMax: -Infinity,
        histogram: HISTOGRAM_COLUMNS.map(() => 0),
      };
      this.groups.set(key, group);
    }
    group.lines += 1;
    const latency = line.latencyMs;
    // copyNumber stores a non-finite latency as NULL: it is no latency for the rollup either.
    if (latency !== null && Number.isFinite(latency)) {
      group.latencyCount += 1;
      group.latencySum += latency;
      if (latency < group.latencyMin) group.latencyMin = latency;
      if (latency > group.latencyMax) group.latencyMax = latency;
      group.histogram[latencyBucket(latency)] += 1;
    }
  }

  /** The rows as COPY text lines. */
  copyLines(): string[] {
    return [...this.groups.values()].map((group) =>
      [
        group.bucket,
        copyText(group.line.source),
        String(group.line.level),
        copyText(group.line.host),
        copyNumber(group.line.statusCode),
        copyText(group.line.method),
        copyText(group.line.path),
        String(group.lines),
        String(group.latencyCount),
        String(group.latencySum),
        group.latencyCount > 0 ? String(group.latencyMin) : '\\N',
        group.latencyCount > 0 ? String(group.latencyMax) : '\\N',
        ...group.histogram.map((count) => (count > 0 ? String(count) : '\\N')),
      ].join('\t'),
    );
  }
}
