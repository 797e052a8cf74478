import type { LogRecord } from '@app/contracts';
import { levelName } from '@app/contracts';
import {
  CopyTextBuffer,
  copyJson,
  copyNumber,
  copyText,
  TimestampFormatter,
  isStorableTimestamp,
} from './copy-encoding';
import type { NewLogRow } from './log-row';
import { BatchRollup, type RollupLine } from './rollups/batch-rollup';

/** The columns of `logsCopy`, in order. */
export const LOGS_COPY_COLUMNS =
  'id, ts, received_at, level, source, host, message, raw, status_code, method, path, latency_ms, fields, parse_error';

export interface EncodedBatch {
  /** COPY text (UTF-8) for `logs (LOGS_COPY_COLUMNS)`, one line per row. */
  logsCopy: Buffer[];
  /** COPY text (UTF-8) for `log_rollups` (ROLLUP_COPY_SQL). */
  rollupsCopy: Buffer[];
  /** The stored lines as the API shows them, for live tail and alert evaluation. */
  records: LogRecord[];
}

/**
 * Everything a batch's storing transaction writes, built in one pass over the rows: this runs for
 * every stored line, so it allocates no per-line object beyond the record it returns. Pure.
 */
export function encodeBatch(ids: readonly string[], rows: readonly NewLogRow[]): EncodedBatch {
  const records: LogRecord[] = new Array<LogRecord>(rows.length);
  const rollup = new BatchRollup();
  // One scratch object, refilled for every line (the rollup copies what it keeps).
  const rollupLine: RollupLine = {
    ts: '',
    level: 0,
    source: '',
    host: null,
    statusCode: null,
    method: null,
    path: null,
    latencyMs: null,
  };
  const eventTimes = new TimestampFormatter();
  const receivedTimes = new TimestampFormatter();
  const logsCopy = new CopyTextBuffer();
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index];
    const id = ids[index];
    let parseError = row.parseError;
    let tsMs = row.ts;
    if (!isStorableTimestamp(tsMs)) {
      parseError = [parseError, `timestamp out of range (${tsMs}); received time used`]
        .filter(Boolean)
        .join('; ');
      tsMs = row.receivedAt;
    }
    const ts = eventTimes.format(tsMs);
    const receivedAt = receivedTimes.format(row.receivedAt);
    records[index] = {
      id,
      ts,
      receivedAt,
      level: levelName(row.level),
      source: row.source,
      host: row.host,
      message: row.message,
      statusCode: row.statusCode,
      method: row.method,
      path: row.path,
      latencyMs: row.latencyMs,
      fields: row.fields,
      parseError,
    };
    rollupLine.ts = ts;
    rollupLine.level = row.level;
    rollupLine.source = row.source;
    rollupLine.host = row.host;
    rollupLine.statusCode = row.statusCode;
    rollupLine.method = row.method;
    rollupLine.path = row.path;
    rollupLine.latencyMs = row.latencyMs;
    rollup.add(rollupLine);
    logsCopy.line(
      id +
        '\t' +
        ts +
        '\t' +
        receivedAt +
        '\t' +
        row.level +
        '\t' +
        copyText(row.source) +
        '\t' +
        copyText(row.host) +
        '\t' +
        copyText(row.message) +
        '\t' +
        // The raw line is kept only when it says more than the message.
        copyText(row.raw === row.message ? null : row.raw) +
        '\t' +
        copyNumber(row.statusCode) +
        '\t' +
        copyText(row.method) +
        '\t' +
        copyText(row.path) +
        '\t' +
        copyNumber(row.latencyMs) +
        '\t' +
        copyJson(row.fields) +
        '\t' +
        copyText(parseError),
    );
  }
  const rollupsCopy = new CopyTextBuffer();
  for (const line of rollup.copyLines()) rollupsCopy.line(line);
  return { logsCopy: logsCopy.finish(), rollupsCopy: rollupsCopy.finish(), records };
}
