import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { LogRecord } from '@app/contracts';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataSource } from 'typeorm';
import { encodeBatch, LOGS_COPY_COLUMNS } from './batch-encoding';
import { keepUnstoredFileLines } from './file-offsets';
import type { NewLogRow } from './log-row';
import { ROLLUP_COPY_SQL } from './rollups/batch-rollup';

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
    // Ids are taken up front so the published batch can name them (COPY returns nothing); one
    // text value rather than a row per id.
    const taken = await client.query<{ ids: string }>(
      `SELECT string_agg(nextval('logs_id_seq')::text, ',') AS ids FROM generate_series(1, $1)`,
      [rows.length],
    );
    const batch = encodeBatch(taken.rows[0].ids.split(','), rows);
    await runCopy(client, `COPY logs (${LOGS_COPY_COLUMNS}) FROM STDIN`, batch.logsCopy);
    await runCopy(client, ROLLUP_COPY_SQL, batch.rollupsCopy);
    return batch.records;
  }
}

/** Runs one COPY … FROM STDIN with the given text. */
async function runCopy(client: PoolClient, sql: string, text: Buffer[]): Promise<void> {
  if (text.length === 0) return;
  await pipeline(Readable.from(text), client.query(copyFrom(sql)));
}
