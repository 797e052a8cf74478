import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  levelName,
  type LogRecord,
  type LogRecordDetail,
  type LogSearchResponse,
} from '@app/contracts';
import { DataSource } from 'typeorm';
import { encodeCursor, type LogCursor } from './log-cursor';

export interface LogSearchFilter {
  from?: Date;
  to?: Date;
  /** Syslog severities to include. */
  levels?: number[];
  sources?: string[];
  hosts?: string[];
  /** Words that must all occur in the message (case-insensitive substrings). */
  words?: string[];
  limit: number;
  /** Continue after this position (older rows). */
  after?: LogCursor;
}

// ts is read as text with microseconds: a JS Date would cut it to milliseconds and break paging.
// The aliases shadow the columns in ORDER BY, so ordering must name `logs.ts` and `logs.id`
// (ordering by the text id would page wrongly once ids differ in length).
const RECORD_COLUMNS = `
  id::text AS id,
  to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ts,
  to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS received_at,
  level, source, host, message, status_code, method, path, latency_ms, fields, parse_error`;

interface LogRow {
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

/** Escapes LIKE wildcards so user text matches literally. */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Reads stored logs: filtered newest-first pages with keyset paging, and single lines. */
@Injectable()
export class LogSearchService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async search(filter: LogSearchFilter): Promise<LogSearchResponse> {
    const params: unknown[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const where: string[] = [];
    if (filter.from) where.push(`ts >= ${param(filter.from)}`);
    if (filter.to) where.push(`ts < ${param(filter.to)}`);
    if (filter.levels?.length) where.push(`level = ANY(${param(filter.levels)}::smallint[])`);
    if (filter.sources?.length) where.push(`source = ANY(${param(filter.sources)}::text[])`);
    if (filter.hosts?.length) where.push(`host = ANY(${param(filter.hosts)}::text[])`);
    for (const word of filter.words ?? [])
      where.push(`message ILIKE ${param(`%${likeLiteral(word)}%`)}`);
    if (filter.after) {
      where.push(
        `(ts, id) < (${param(filter.after.ts)}::timestamptz, ${param(filter.after.id)}::bigint)`,
      );
    }
    const sql = `SELECT ${RECORD_COLUMNS} FROM logs
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY logs.ts DESC, logs.id DESC LIMIT ${param(filter.limit + 1)}`;
    const rows: LogRow[] = await this.dataSource.query(sql, params);
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toRecord),
      nextCursor:
        rows.length > filter.limit && last ? encodeCursor({ ts: last.ts, id: last.id }) : null,
    };
  }

  async findById(id: string): Promise<LogRecordDetail | undefined> {
    const rows: LogRow[] = await this.dataSource.query(
      `SELECT ${RECORD_COLUMNS}, coalesce(raw, message) AS raw FROM logs WHERE id = $1::bigint LIMIT 1`,
      [id],
    );
    return rows[0] ? { ...toRecord(rows[0]), raw: rows[0].raw ?? rows[0].message } : undefined;
  }
}

function toRecord(row: LogRow): LogRecord {
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
