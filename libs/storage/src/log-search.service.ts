import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { LogRecordDetail, LogSearchResponse } from '@app/contracts';
import { DataSource } from 'typeorm';
import { encodeCursor, type LogCursor } from './log-cursor';
import { RECORD_COLUMNS, toRecord, type LogRow } from './log-record-sql';
import { ReadTransactions, type ReadTransaction } from './analytics/read-transaction.service';
import { logFilterSql, SqlParams, type LineFilter } from './log-filter';
import { PartitionManager } from './partition-manager.service';
import { highlightSpans } from './query';
import { positiveTextTerms } from './query/full-text-terms';
import { findableThroughTextIndex, searchSlices } from './search-slices';

export interface LogSearchFilter extends LineFilter {
  limit: number;
  /** Continue from this position: to older lines by default, to newer ones with `direction`. */
  cursor?: LogCursor;
  direction?: 'older' | 'newer';
}

/**
 * Looking matches up through the text index fetches at most this many lines of a slice (or the
 * page size, if larger). Fewer means they are all the matches of the slice, which are then sorted;
 * as many means the words are common there, and a newest-first walk finds a page quickly.
 */
const PROBE_LINES = 1000;

/**
 * Reads stored logs: filtered newest-first pages with keyset paging, and single lines.
 *
 * A search reads its range in slices (search-slices.ts), newest first, until the page is full, so
 * that each statement is planned over a few hour partitions. With words to find, each slice first
 * looks its matches up without an order (through the text index where there is one) and only
 * walks in time order when they are common there. One plan for the whole range would be wrong for
 * some words: walking back in time and testing each line is right for common words and takes
 * seconds for rare ones (MEASUREMENTS.md §8), fetching every match and sorting is the reverse.
 */
@Injectable()
export class LogSearchService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: ReadTransactions,
    private readonly partitions: PartitionManager,
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
    const conditions = where.join(' AND ');
    const wanted = filter.limit + 1;

    const rows = await this.readInSlices(filter, conditions, params.values, order, wanted);

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

  /** The first `wanted` lines in `order`, read slice by slice in one snapshot. */
  private async readInSlices(
    filter: LogSearchFilter,
    conditions: string,
    values: unknown[],
    order: 'ASC' | 'DESC',
    wanted: number,
  ): Promise<LogRow[]> {
    const newestFirst = order === 'DESC';
    const span = {
      from: filter.from?.getTime() ?? -Infinity,
      to: filter.to?.getTime() ?? (await this.openEnd()),
    };
    if (filter.cursor) {
      // Date keeps milliseconds: the slice holding the cursor's own microsecond must include it.
      const at = Date.parse(filter.cursor.ts);
      if (newestFirst) span.to = Math.min(span.to, Math.floor(at) + 1);
      else span.from = Math.max(span.from, Math.floor(at));
    }
    if (span.from >= span.to) return [];
    const layout = await this.partitions.searchLayout();
    const fullText =
      !!filter.query && positiveTextTerms(filter.query).some((term) => term.type !== 'substring');
    // Without words to look up, the text index does not matter: slices only bound the planning.
    const slices = searchSlices(span, fullText ? layout : { ...layout, indexed: [] }, newestFirst);
    const throughIndex = findableThroughTextIndex(filter.query);

    return this.transactions.run(async (tx) => {
      // Compiling a plan to machine code takes longer than running these short statements.
      await tx.query('SET LOCAL jit = off');
      const rows: LogRow[] = [];
      for (const slice of slices) {
        const needed = wanted - rows.length;
        if (needed <= 0) break;
        const params = [...values];
        const param = (value: unknown) => `$${params.push(value)}`;
        const bounds = [
          Number.isFinite(slice.from)
            ? `logs.ts >= ${param(new Date(slice.from))}::timestamptz`
            : '',
          Number.isFinite(slice.to) ? `logs.ts < ${param(new Date(slice.to))}::timestamptz` : '',
        ].filter(Boolean);
        const where = [conditions, ...bounds].join(' AND ');
        // The row limit is the last parameter of each statement.
        const limit = `$${params.length + 1}`;
        const walk = () =>
          tx.query<LogRow>(
            `SELECT ${RECORD_COLUMNS} FROM logs WHERE ${where}
             ORDER BY logs.ts ${order}, logs.id ${order} LIMIT ${limit}`,
            [...params, needed],
          );
        if (!fullText) {
          rows.push(...(await walk()));
          continue;
        }
        // First look the matches up without an order, at most `probe` of them: fewer means
        // they are all the slice holds, sorted here. With a text index, through it only (bitmap
        // scans; the planner would otherwise walk back in time for a word it thinks common, the
        // slow plan for a word that is not), up to PROBE_LINES. Without one, the slice is read
        // in whatever order is cheapest (in parallel) until the page could be filled.
        const indexed = slice.indexed && throughIndex;
        const probe = indexed ? Math.max(PROBE_LINES, needed + 1) : needed + 1;
        if (indexed) await planWith(tx, { seqscan: false, indexscan: false });
        const found = await tx.query<LogRow & { sort_ts: Date }>(
          `SELECT * FROM (SELECT logs.ts AS sort_ts, logs.id AS sort_id, ${RECORD_COLUMNS}
             FROM logs WHERE ${where} LIMIT ${limit}) matches
           ORDER BY sort_ts ${order}, sort_id ${order}`,
          [...params, probe],
        );
        if (found.length < probe) {
          if (indexed) await planWith(tx, {});
          rows.push(...found.slice(0, needed).map(withoutSortKeys));
          continue;
        }
        // Common in this slice: a walk in time order fills the page quickly (fetching every match
        // to sort them, or reading the slice, costs more; the planner's estimate for a phrase is
        // far too low to see it).
        await planWith(tx, { seqscan: false, bitmapscan: false, parallel: false });
        rows.push(...(await walk()));
        await planWith(tx, {});
      }
      return rows;
    });
  }

  /**
   * Where a search without `to` ends: an hour ahead of the clock, or just after the newest line
   * stamped further ahead (a host whose clock is off), whichever is later.
   */
  private async openEnd(): Promise<number> {
    const ahead = await this.partitions.newestLineAhead();
    return Math.max(Date.now() + 3_600_000, ahead === null ? -Infinity : ahead + 1);
  }

  async findById(id: string): Promise<LogRecordDetail | undefined> {
    const rows: LogRow[] = await this.dataSource.query(
      `SELECT ${RECORD_COLUMNS}, coalesce(raw, message) AS raw FROM logs WHERE id = $1::bigint LIMIT 1`,
      [id],
    );
    return rows[0] ? { ...toRecord(rows[0]), raw: rows[0].raw ?? rows[0].message } : undefined;
  }
}

/**
 * Turns plan types off for the next statements of the transaction (the others back on). A walk
 * in time order over several partitions must also be serial: with a match estimate below the page
 * size, a parallel plan reads every partition and sorts, where a serial one stops at the page.
 */
async function planWith(
  tx: ReadTransaction,
  off: { seqscan?: false; indexscan?: false; bitmapscan?: false; parallel?: false },
): Promise<void> {
  const value = (on: boolean | undefined, offValue: string) =>
    on === false ? offValue : 'DEFAULT';
  await tx.query(
    [
      `SET LOCAL enable_seqscan = ${value(off.seqscan, 'off')}`,
      `SET LOCAL enable_indexscan = ${value(off.indexscan, 'off')}`,
      `SET LOCAL enable_bitmapscan = ${value(off.bitmapscan, 'off')}`,
      `SET LOCAL max_parallel_workers_per_gather = ${value(off.parallel, '0')}`,
    ].join('; '),
  );
}

/** A probed row without the ordering columns the probe added. */
function withoutSortKeys(row: LogRow & { sort_ts?: unknown; sort_id?: unknown }): LogRow {
  const { sort_ts: _ts, sort_id: _id, ...record } = row;
  return record;
}
