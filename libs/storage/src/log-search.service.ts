import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { LogRecordDetail, LogSearchResponse } from '@app/contracts';
import { DataSource } from 'typeorm';
import { encodeCursor, type LogCursor } from './log-cursor';
import { RECORD_COLUMNS, toRecord, type LogRow } from './log-record-sql';
import { QueryTimeoutError, ReadTransactions } from './analytics/read-transaction.service';
import { logFilterSql, SqlParams, type LineFilter } from './log-filter';
import { fullTextTerms, highlightSpans } from './query';

export interface LogSearchFilter extends LineFilter {
  limit: number;
  /** Continue from this position: to older lines by default, to newer ones with `direction`. */
  cursor?: LogCursor;
  direction?: 'older' | 'newer';
}

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
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: ReadTransactions,
  ) {}

  async search(filter: LogSearchFilter): Promise<LogSearchResponse> {
    const params = new SqlParams();
    const param = params.add;
    const where = [logFilterSql(filter, param)];
    const newer = filter.direction === 'newer';
    if (filter.cursor) {
      const position = `(${param(filter.cursor.ts)}::timestamptz, ${param(filter.cursor.id)}::bigint)`;
      where.push(newer ? `(logs.ts, logs.id) > ${position}` : `(logs.ts, logs.id) < ${position}`);
    }
    const order = newer ? 'ASC' : 'DESC';
    const conditions = `WHERE ${where.join(' AND ')}`;
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
      rows = await this.read(plain, params.values, PLAIN_FIRST_MS).catch((error: unknown) => {
        if (error instanceof QueryTimeoutError) return undefined;
        throw error;
      });
      rows ??= await this.read(fenced, params.values);
    } else {
      rows = await this.read(plain, params.values);
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

  /** One read in a bounded read-only transaction (default timeout: the analytics one, 10 s). */
  private read(sql: string, values: unknown[], timeoutMs?: number): Promise<LogRow[]> {
    return this.transactions.run(
      (transaction) => transaction.query<LogRow>(sql, values),
      timeoutMs,
    );
  }

  async findById(id: string): Promise<LogRecordDetail | undefined> {
    const rows: LogRow[] = await this.dataSource.query(
      `SELECT ${RECORD_COLUMNS}, coalesce(raw, message) AS raw FROM logs WHERE id = $1::bigint LIMIT 1`,
      [id],
    );
    return rows[0] ? { ...toRecord(rows[0]), raw: rows[0].raw ?? rows[0].message } : undefined;
  }
}
