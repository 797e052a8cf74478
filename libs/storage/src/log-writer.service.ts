import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { LogRecord } from '@app/contracts';
import { levelName } from '@app/contracts';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataSource } from 'typeorm';
import {
  copyJson,
  copyNumber,
  copyText,
  formatTimestamp,
  isStorableTimestamp,
} from './copy-encoding';
import { keepUnstoredFileLines } from './file-offsets';
import type { NewLogRow } from './log-row';
import { batchRollupCopy, ROLLUP_COPY_SQL, type RollupLine } from './rollups/batch-rollup';

const COPY_COLUMNS =
  'id, ts, received_at, level, source, host, message, raw, status_code, method, path, latency_ms, fields, parse_error';

export interface WriteResult {
  /** False when the batch id was already in the ledger: nothing was written this time. */
  stored: boolean;
  /** The stored lines as the API shows them (empty for a duplicate). */
  logs: LogRecord[];
}

/**
 * Writes parsed batches into `logs` with COPY, exactly once per batch id: the batch id goes into
 * the `ingest_batches` ledger in the same transaction as the COPY, so a retried job (after a crash
 * between commit and acknowledgement) finds its id there and writes nothing. Lines read from files
 * are also checked line by line against the stored file offsets (see file-offsets.ts).
 * The batch's per-minute rollup rows (histograms and aggregations read them) are appended in the
 * same transaction, so they always count exactly the stored lines.
 */
@Injectable()
export class LogWriter {
  private readonly logger = new Logger(LogWriter.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async writeBatch(batchId: string, rows: NewLogRow[]): Promise<WriteResult> {
    const runner = this.dataSource.createQueryRunner();
    // The same pool as TypeORM: the runner's connection is a pg PoolClient.
    const client = (await runner.connect()) as PoolClient;
    try {
      await client.query('BEGIN');
      const claimed = await client.query(
        'INSERT INTO ingest_batches (batch_id, line_count) VALUES ($1, $2) ON CONFLICT (batch_id) DO NOTHING',
        [batchId, rows.length],
      );
      if (claimed.rowCount === 0) {
        await client.query('ROLLBACK');
        this.logger.log(`Batch ${batchId} was already stored; skipped (retry after a crash)`);
        return { stored: false, logs: [] };
      }
      const unstored = await keepUnstoredFileLines(client, rows);
      const records = await this.copyRows(
        client,
        unstored.filter((row) => !row.discard),
      );
      await client.query('COMMIT');
      return { stored: true, logs: records };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      runner.release();
    }
  }

  private async copyRows(client: PoolClient, rows: NewLogRow[]): Promise<LogRecord[]> {
    if (rows.length === 0) return [];
    // Ids are taken up front so the published batch can name them (COPY returns nothing).
    const ids = await client.query<{ id: string }>(
      `SELECT nextval('logs_id_seq')::text AS id FROM generate_series(1, $1)`,
      [rows.length],
    );
    const records: LogRecord[] = [];
    const lines: string[] = [];
    const rollupLines: RollupLine[] = [];
    rows.forEach((row, index) => {
      const record = toRecord(ids.rows[index].id, row);
      records.push(record);
      rollupLines.push({
        ts: record.ts,
        level: row.level,
        source: row.source,
        host: row.host,
        statusCode: row.statusCode,
        method: row.method,
        path: row.path,
        latencyMs: row.latencyMs,
      });
      lines.push(
        [
          record.id,
          record.ts,
          record.receivedAt,
          String(row.level),
          copyText(row.source),
          copyText(row.host),
          copyText(row.message),
          copyText(row.raw === row.message ? null : row.raw),
          copyNumber(row.statusCode),
          copyText(row.method),
          copyText(row.path),
          copyNumber(row.latencyMs),
          copyJson(row.fields),
          copyText(record.parseError),
        ].join('\t'),
      );
    });
    const copy = client.query(copyFrom(`COPY logs (${COPY_COLUMNS}) FROM STDIN`));
    await pipeline(Readable.from([lines.join('\n') + '\n']), copy);
    const rollup = client.query(copyFrom(ROLLUP_COPY_SQL));
    await pipeline(Readable.from([batchRollupCopy(rollupLines).join('\n') + '\n']), rollup);
    return records;
  }
}

/** The API shape of a row about to be stored; a timestamp out of range falls back to received time. */
function toRecord(id: string, row: NewLogRow): LogRecord {
  let parseError = row.parseError;
  let ts = row.ts;
  if (!isStorableTimestamp(ts)) {
    parseError = [parseError, `timestamp out of range (${ts}); received time used`]
      .filter(Boolean)
      .join('; ');
    ts = row.receivedAt;
  }
  return {
    id,
    ts: formatTimestamp(ts),
    receivedAt: formatTimestamp(row.receivedAt),
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
}
