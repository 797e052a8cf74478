import { BadRequestException } from '@nestjs/common';
import type { PoolClient, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';

/** How long one statement of a backtest may run before Postgres cancels it. */
export const BACKTEST_STATEMENT_TIMEOUT_MS = 10_000;
/** SQLSTATE of a statement cancelled by statement_timeout. */
const QUERY_CANCELED = '57014';

export interface BoundedRead {
  query<T extends QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
}

/**
 * Runs `work` in a read-only, repeatable-read transaction on a pooled connection whose statements
 * stop after `timeoutMs` (SET LOCAL, so the connection goes back unchanged); a timeout becomes a
 * 400 that says to narrow the request. Same contract as the analytics' ReadTransactions in
 * @app/storage, which its public door does not export (yet).
 */
export async function boundedRead<T>(
  dataSource: DataSource,
  work: (read: BoundedRead) => Promise<T>,
  timeoutMs = BACKTEST_STATEMENT_TIMEOUT_MS,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  const client = (await runner.connect()) as PoolClient;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`SELECT set_config('statement_timeout', $1, true)`, [String(timeoutMs)]);
    const result = await work({
      query: async <R extends QueryResultRow>(sql: string, params: unknown[] = []) => {
        try {
          return (await client.query<R>(sql, params)).rows;
        } catch (error) {
          if ((error as { code?: unknown }).code === QUERY_CANCELED) {
            throw new BadRequestException({
              message: `The backtest was stopped after ${timeoutMs / 1000} s: narrow from/to or make the query more selective`,
              reason: 'statement_timeout',
            });
          }
          throw error;
        }
      },
    });
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await runner.release();
  }
}
