import { HttpException, HttpStatus, Injectable, Logger } from '@nestjs/common';
import { CSV_EXPORT_COLUMNS, levelName, type ExportFormat } from '@app/contracts';
import { RECORD_COLUMNS, toRecord, type LogRow } from '../log-record-sql';
import type { Readable } from 'node:stream';
import { toQueryError } from './analytics-request';
import { CursorReadable } from './cursor-stream';
import { csvNumberCell, csvRecord, csvTextCell } from './csv';
import { logFilterSql, SqlParams, type LogFilter } from '../log-filter';
import { ReadTransactions, type ReadTransaction } from './read-transaction.service';

/** Rows per FETCH: large enough to amortise the round trip, small enough to keep memory flat. */
export const EXPORT_BATCH_SIZE = 1000;
/**
 * Each export holds a pooled connection for as long as the client reads; the api shares that pool
 * with everything else, so only a few run at once.
 */
export const MAX_CONCURRENT_EXPORTS = 4;
/** A client that reads nothing for this long loses its export (and its connection). */
export const EXPORT_STALL_TIMEOUT_MS = 120_000;

const CURSOR = 'lookout_export';

export interface LogExport {
  stream: Readable;
  contentType: string;
  filename: string;
}

/**
 * Streams matching lines, oldest first, of any volume: a server-side cursor in a read-only
 * transaction on a dedicated pooled connection, fetched 1000 rows at a time only as fast as the
 * client reads. The first batch is fetched before answering, so a bad query or a timeout is still
 * a JSON 400; a failure later cuts the response off (the client sees an incomplete transfer, not
 * a file that looks whole).
 */
@Injectable()
export class LogExportService {
  private readonly logger = new Logger(LogExportService.name);
  private running = 0;

  constructor(private readonly transactions: ReadTransactions) {}

  async open(filter: LogFilter, format: ExportFormat): Promise<LogExport> {
    if (this.running >= MAX_CONCURRENT_EXPORTS) {
      throw Object.assign(
        new HttpException(
          `${MAX_CONCURRENT_EXPORTS} exports are running already; retry when one has finished`,
          HttpStatus.TOO_MANY_REQUESTS,
        ),
        { retryAfterSeconds: 10 },
      );
    }
    const params = new SqlParams();
    let where: string;
    try {
      where = logFilterSql(filter, params.add);
    } catch (error) {
      throw toQueryError(error);
    }

    this.running += 1;
    let tx: ReadTransaction | undefined;
    let firstBatch: LogRow[];
    try {
      tx = await this.transactions.begin();
      await tx.query(
        `DECLARE ${CURSOR} NO SCROLL CURSOR FOR
         SELECT ${RECORD_COLUMNS} FROM logs WHERE ${where} ORDER BY logs.ts, logs.id`,
        params.values,
      );
      firstBatch = await tx.query<LogRow>(`FETCH ${EXPORT_BATCH_SIZE} FROM ${CURSOR}`);
    } catch (error) {
      await tx?.rollback();
      this.running -= 1;
      throw error;
    }

    const transaction = tx;
    const started = Date.now();
    let rows = firstBatch.length;
    const encode = format === 'csv' ? encodeCsv : encodeNdjson;
    const stream = new CursorReadable<LogRow>(
      {
        fetch: async () => {
          const batch = await transaction.query<LogRow>(
            `FETCH ${EXPORT_BATCH_SIZE} FROM ${CURSOR}`,
          );
          rows += batch.length;
          return batch;
        },
        close: async (error) => {
          this.running -= 1;
          if (error) {
            this.logger.log(`Export stopped after ${rows} rows: ${error.message}`);
            await transaction.rollback();
          } else {
            this.logger.debug(`Exported ${rows} rows in ${Date.now() - started} ms`);
            await transaction.commit();
          }
        },
      },
      {
        batchSize: EXPORT_BATCH_SIZE,
        firstBatch,
        prefix: format === 'csv' ? csvRecord([...CSV_EXPORT_COLUMNS]) : undefined,
        encode,
        stallTimeoutMs: EXPORT_STALL_TIMEOUT_MS,
      },
    );
    const stamp = (date: Date) => date.toISOString().replace(/[-:]|\.\d+/g, '');
    return {
      stream,
      contentType:
        format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      filename: `lookout-logs-${stamp(filter.from)}-${stamp(filter.to)}.${format}`,
    };
  }
}

function encodeNdjson(rows: LogRow[]): string {
  let text = '';
  for (const row of rows) text += `${JSON.stringify(toRecord(row))}\n`;
  return text;
}

function encodeCsv(rows: LogRow[]): string {
  let text = '';
  for (const row of rows) {
    text += csvRecord([
      row.id,
      row.ts,
      levelName(row.level),
      csvTextCell(row.source),
      csvTextCell(row.host),
      csvNumberCell(row.status_code),
      csvTextCell(row.method),
      csvTextCell(row.path),
      csvNumberCell(row.latency_ms),
      csvTextCell(row.message),
      csvTextCell(JSON.stringify(row.fields ?? {})),
    ]);
  }
  return text;
}
