import { levelName, type LogRecord } from '@app/contracts';

// ts is read as text with microseconds: a JS Date would cut it to milliseconds and break paging.
// The aliases shadow the columns in ORDER BY, so ordering must name `logs.ts` and `logs.id`
// (ordering by the text id would page wrongly once ids differ in length).
export const RECORD_COLUMNS = `
  id::text AS id,
  to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ts,
  to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS received_at,
  level, source, host, message, status_code, method, path, latency_ms, fields, parse_error`;

export interface LogRow {
  id: string;
  ts: string;
  received_at: string;
  level: number;
  source: string;
  host: string | null;
  message: string;
  status_code: number | null;
  method: string | null;
  path: string | null;
  latency_ms: number | null;
  fields: Record<string, unknown> | null;
  parse_error: string | null;
  raw?: string;
}

/** A row of RECORD_COLUMNS as the API returns it. */
export function toRecord(row: LogRow): LogRecord {
  return {
    id: row.id,
    ts: row.ts,
    receivedAt: row.received_at,
    level: levelName(row.level),
    source: row.source,
    host: row.host,
    message: row.message,
    statusCode: row.status_code,
    method: row.method,
    path: row.path,
    latencyMs: row.latency_ms,
    fields: row.fields ?? {},
    parseError: row.parse_error,
  };
}
