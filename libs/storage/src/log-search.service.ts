import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { LogRecordDetail, LogSearchResponse } from '@app/contracts';
import { DataSource } from 'typeorm';
import { encodeCursor, type LogCursor } from './log-cursor';
import { RECORD_COLUMNS, toRecord, type LogRow } from './log-record-sql';
import { compileQueryToSql, fullTextTerms, highlightSpans, type QueryNode } from './query';

export interface LogSearchFilter {
  from?: Date;
  to?: Date;
  /** Syslog severities to include. */
  levels?: number[];
  sources?: string[];
  hosts?: string[];
  /** A parsed query of the query language (null: no query). */
  query?: QueryNode | null;
  limit: number;
  /** Continue from this position: to older lines by default, to newer ones with `direction`. */
  cursor?: LogCursor;
  direction?: 'older' | 'newer';
}

/** The search ran past the statement timeout: the caller should narrow it. */
export class SearchTimeoutError extends Error {}

/** Longest a search may run. */
const STATEMENT_TIMEOUT_MS = 10_000;
/**
 * A full-text search first runs as a plain newest-first scan for this long: right for common words
 * (the first page is found quickly). If it takes longer, the word is rare in the range and the
 * planner's backward walk is the trap of MEASUREMENTS.md §8; the fenced form then fetches the
 * matches through the text index and sorts them (9–25 ms there, against up to 9.9 s).
 */
const PLAIN_FIRST_MS = 300;

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
    if (filter.from) where.push(`logs.ts >= ${param(filter.from)}`);
    if (filter.to) where.push(`logs.ts < ${param(filter.to)}`);
    if (filter.levels?.length) where.push(`logs.level = ANY(${param(filter.levels)}::smallint[])`);
    if (filter.sources?.length) where.push(`logs.source = ANY(${param(filter.sources)}::text[])`);
    if (filter.hosts?.length) where.push(`logs.host = ANY(${param(filter.hosts)}::text[])`);
    if (filter.query) where.push(`(${compileQueryToSql(filter.query, param)})`);
    const newer = filter.direction === 'newer';
    if (filter.cursor) {
      const position = `(${param(filter.cursor.ts)}::timestamptz, ${param(filter.cursor.id)}::bigint)`;
      where.push(newer ? `(logs.ts, logs.id) > ${position}` : `(logs.ts, logs.id) < ${position}`);
    }
    const order = newer ? 'ASC' : 'DESC';
    const conditions = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const limit = param(filter.limit + 1);
    const plain = `SELECT ${RECORD_COLUMNS} FROM logs ${conditions}
      ORDER BY logs.ts ${order}, logs.id ${order} LIMIT ${limit}`;
    // OFFSET 0 keeps the planner from pushing the ORDER BY … LIMIT into a backward index walk.
    const fenced = `SELECT * FROM (SELECT logs.ts AS sort_ts, logs.id AS sort_id, ${RECORD_COLUMNS}
      FROM logs ${conditions} OFFSET 0) matches
      ORDER BY sort_ts ${order}, sort_id ${order} LIMIT ${limit}`;

    const terms = fullTextTerms(filter.query ?? null);
    let rows: LogRow[] | undefined;
    if (terms.words.length + terms.phrases.length > 0) {
      rows = await this.query(plain, params, PLAIN_FIRST_MS).catch((error: unknown) => {
        if (error instanceof SearchTimeoutError) return undefined;
        throw error;
      });
      rows ??= await this.query(fenced, params, STATEMENT_TIMEOUT_MS);
    } else {
      rows = await this.query(plain, params, STATEMENT_TIMEOUT_MS);
    }

    const more = rows.length > filter.limit;
    const page = rows.slice(0, filter.limit);
    if (newer) page.reverse(); // always newest first
    const first = page[0];
    const last = page[page.length - 1];
    const items = page.map((row) => {
      const record = toRecord(row);
      if (filter.query) record.highlights = highlightSpans(filter.query, record.message);
      return record;
    });
    return {
      items,
      // Older lines exist after the last one when paging back, or when this page was cut.
      nextCursor:
        last && (newer ? filter.cursor !== undefined : more)
          ? encodeCursor({ ts: last.ts, id: last.id })
          : null,
      prevCursor:
        first && (newer ? more : filter.cursor !== undefined)
          ? encodeCursor({ ts: first.ts, id: first.id })
          : null,
    };
  }

  /** Runs one read in its own transaction with a statement timeout. */
  private async query(sql: string, params: unknown[], timeoutMs: number): Promise<LogRow[]> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`SET LOCAL statement_timeout = ${Math.round(timeoutMs)}`);
      const rows: LogRow[] = await runner.query(sql, params);
      await runner.commitTransaction();
      return rows;
    } catch (error) {
      await runner.rollbackTransaction().catch(() => undefined);
      const code =
        (error as { driverError?: { code?: string }; code?: string }).driverError?.code ??
        (error as { code?: string }).code;
      if (code === '57014') throw new SearchTimeoutError(`search stopped after ${timeoutMs} ms`);
      throw error;
    } finally {
      await runner.release();
    }
  }

  async findById(id: string): Promise<LogRecordDetail | undefined> {
    const rows: LogRow[] = await this.dataSource.query(
      `SELECT ${RECORD_COLUMNS}, coalesce(raw, message) AS raw FROM logs WHERE id = $1::bigint LIMIT 1`,
      [id],
    );
    return rows[0] ? { ...toRecord(rows[0]), raw: rows[0].raw ?? rows[0].message } : undefined;
  }
}
