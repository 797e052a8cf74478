import { BadRequestException, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient, QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';

/** How long one statement of an analytics request may run before Postgres cancels it. */
export const STATEMENT_TIMEOUT_MS = 10_000;

/** A statement ran past its timeout: a 400 that tells the caller to narrow the request. */
export class QueryTimeoutError extends BadRequestException {}

/** SQLSTATE of a statement cancelled by statement_timeout (or a cancel request). */
const QUERY_CANCELED = '57014';

/**
 * A read-only, repeatable-read transaction on a connection of its own, taken from the shared pool, with
 * `statement_timeout` set for this transaction only (set_config(..., true) is SET LOCAL: it ends
 * with the transaction, so the pooled connection goes back unchanged).
 */
export class ReadTransaction {
  private finished = false;

  constructor(
    readonly client: PoolClient,
    private readonly releaseConnection: () => void,
    private readonly timeoutMs: number,
  ) {}

  async query<T extends QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    try {
      return (await this.client.query<T>(sql, params)).rows;
    } catch (error) {
      throw translateQueryError(error, this.timeoutMs);
    }
  }

  /** Commits (nothing was written) and gives the connection back. */
  async commit(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    try {
      await this.client.query('COMMIT');
    } finally {
      this.releaseConnection();
    }
  }

  /** Rolls back (which also closes any cursor) and gives the connection back; never throws. */
  async rollback(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    // A broken connection fails here; pg-pool then drops it instead of reusing it.
    await this.client.query('ROLLBACK').catch(() => undefined);
    this.releaseConnection();
  }
}

/** Runs the read queries of analytics and exports inside bounded, read-only transactions. */
@Injectable()
export class ReadTransactions {
  private readonly logger = new Logger(ReadTransactions.name);
  /** Per statement. Mutable so tests (or a later setting) can lower it. */
  statementTimeoutMs = STATEMENT_TIMEOUT_MS;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Opens a transaction whose statements may run `timeoutMs` each (default: statementTimeoutMs);
   * the caller must end it with commit() or rollback().
   */
  async begin(timeoutMs = this.statementTimeoutMs): Promise<ReadTransaction> {
    const runner = this.dataSource.createQueryRunner();
    // The same pool as TypeORM: the runner's connection is a pg PoolClient, and the runner keeps an
    // 'error' listener on it, so a connection that dies while checked out cannot crash the process.
    const client = (await runner.connect()) as PoolClient;
    const transaction = new ReadTransaction(client, () => void runner.release(), timeoutMs);
    try {
      // One snapshot for every statement of the request (summary runs two).
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query(`SELECT set_config('statement_timeout', $1, true)`, [
        String(Math.max(1, Math.floor(timeoutMs))),
      ]);
    } catch (error) {
      await transaction.rollback();
      throw error;
    }
    return transaction;
  }

  /** Runs `work` in a transaction and ends it whatever happens. */
  async run<T>(work: (transaction: ReadTransaction) => Promise<T>, timeoutMs?: number): Promise<T> {
    const transaction = await this.begin(timeoutMs);
    try {
      const result = await work(transaction);
      await transaction.commit();
      return result;
    } catch (error) {
      await transaction.rollback();
      if (!(error instanceof BadRequestException)) this.logger.debug(String(error));
      throw error;
    }
  }
}

/**
 * Errors the caller can fix become 400 with advice: a statement cancelled by the timeout, or a
 * data error caused by the query's values (an invalid regular expression, a number out of range).
 * Anything else is ours and stays a 500.
 */
export function translateQueryError(error: unknown, timeoutMs: number): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === QUERY_CANCELED) {
    return new QueryTimeoutError({
      message: `The query was stopped after ${formatSeconds(timeoutMs)}: narrow the time range (from/to), add source or level filters, or make q more selective`,
      reason: 'statement_timeout',
    });
  }
  if (typeof code === 'string' && code.startsWith('22')) {
    return new BadRequestException({
      message: `The query cannot be run on the stored data: ${(error as Error).message}`,
      reason: 'data_exception',
    });
  }
  return error;
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}
