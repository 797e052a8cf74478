import { PARTITION_LOCK_KEY, type PartitionInfo } from '@app/storage';
import type { ClientBase } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';

export const DAY_MS = 86_400_000;

/** A relation name as SQL: plain names as they are, anything else double-quoted. */
export function sqlName(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** A top-level partition of `logs` (a UTC day or the default partition) and what it takes on disk. */
export interface PartitionUsage {
  name: string;
  /** UTC day `YYYY-MM-DD`, null for the default partition. */
  day: string | null;
  /** Start of the day in ms, null for the default partition. */
  dayStart: number | null;
  /** Tables, indexes and TOAST of the partition and all its sub-partitions. */
  bytes: number;
  /** From pg_class.reltuples of its leaves; null while a leaf was never analysed. */
  rowsEstimate: number | null;
}

/**
 * Sizes of the given partitions (from PartitionManager.list()). A day may be one table or a table
 * of hour leaves: pg_partition_tree covers both shapes.
 */
export async function partitionUsage(
  client: ClientBase,
  partitions: PartitionInfo[],
): Promise<PartitionUsage[]> {
  if (partitions.length === 0) return [];
  const { rows } = await client.query<{ name: string; bytes: string; rows: string | null }>(
    `SELECT p.name,
            (SELECT coalesce(sum(pg_total_relation_size(t.relid)), 0)
               FROM pg_partition_tree(p.name::regclass) t)::bigint AS bytes,
            (SELECT CASE WHEN bool_or(c.reltuples < 0 AND c.relpages > 0) THEN NULL
                         ELSE sum(greatest(c.reltuples, 0)) END
               FROM pg_partition_tree(p.name::regclass) t JOIN pg_class c ON c.oid = t.relid
              WHERE t.isleaf)::bigint AS rows
       FROM unnest($1::text[]) AS p(name)
      WHERE to_regclass(p.name) IS NOT NULL`,
    [partitions.map((partition) => partition.name)],
  );
  const byName = new Map(rows.map((row) => [row.name, row]));
  return partitions
    .filter((partition) => byName.has(partition.name))
    .map((partition) => {
      const row = byName.get(partition.name)!;
      return {
        name: partition.name,
        day: partition.day,
        dayStart: partition.day === null ? null : Date.parse(`${partition.day}T00:00:00Z`),
        bytes: Number(row.bytes),
        rowsEstimate: row.rows === null ? null : Number(row.rows),
      };
    });
}

/**
 * Leaves (tables with storage) of a partition, oldest hour first; itself when it has none. The
 * names come back as SQL (quoted when needed).
 */
export async function leavesOf(client: ClientBase, partition: string): Promise<string[]> {
  const { rows } = await client.query<{ leaf: string }>(
    `SELECT relid::regclass::text AS leaf FROM pg_partition_tree($1::regclass)
      WHERE isleaf ORDER BY 1`,
    [sqlName(partition)],
  );
  return rows.map((row) => row.leaf);
}

export async function relationBytes(client: ClientBase, relation: string): Promise<number> {
  const { rows } = await client.query<{ bytes: string }>(
    `SELECT coalesce(sum(pg_total_relation_size(relid)), 0)::bigint AS bytes
       FROM pg_partition_tree($1::regclass)`,
    [relation],
  );
  return Number(rows[0].bytes);
}

/** Bytes of all log data, `bytes`: every partition of `logs` at any depth (catalog sizes: cheap). */
export const TOTAL_LOG_BYTES_SQL = `SELECT coalesce(sum(pg_total_relation_size(relid)), 0)::bigint AS bytes
  FROM pg_partition_tree('logs'::regclass)`;

/** Bytes of all log data, on a connection of the caller's. */
export async function totalLogBytes(client: Pick<ClientBase, 'query'>): Promise<number> {
  const { rows } = await client.query<{ bytes: string }>(TOTAL_LOG_BYTES_SQL);
  return Number(rows[0].bytes);
}

export type DropOutcome =
  | { dropped: true; bytes: number; rows: number | null }
  | { dropped: false; why: 'busy' | 'changed' };

/** How long a drop waits for its locks before it gives up for this run (a long search, an index build). */
const DROP_LOCK_TIMEOUT = '10s';

/**
 * Drops a whole day (all its leaves) under the partition lock. With `expectRows` (the day was just
 * archived), writers are held off while the rows are counted: a late line that arrived after the
 * export makes the count differ and the drop is not done, so nothing leaves without its archive.
 */
export async function dropPartition(
  client: ClientBase,
  partition: string,
  expectRows?: number,
): Promise<DropOutcome> {
  const table = sqlName(partition);
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL lock_timeout = '${DROP_LOCK_TIMEOUT}'`);
    await client.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK_KEY]);
    let rows: number | null = null;
    if (expectRows !== undefined) {
      // ONLY: the parent alone; every insert goes through it, so this stops writers, not readers.
      await client.query('LOCK TABLE ONLY logs IN SHARE ROW EXCLUSIVE MODE');
      const counted = await client.query<{ n: string }>(
        `SELECT count(*)::bigint AS n FROM ${table}`,
      );
      rows = Number(counted.rows[0].n);
      if (rows !== expectRows) {
        await client.query('ROLLBACK');
        return { dropped: false, why: 'changed' };
      }
    }
    const bytes = await relationBytes(client, table);
    await client.query(`DROP TABLE ${table}`);
    await client.query('COMMIT');
    return { dropped: true, bytes, rows };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (isLockTimeout(error)) return { dropped: false, why: 'busy' };
    throw error;
  }
}

export function isLockTimeout(error: unknown): boolean {
  return (error as { code?: string }).code === '55P03';
}

/** Rows of a leaf matching a condition; `where` uses $1… for `params`. */
export interface RowSelection {
  leaf: string;
  where: string;
  params: unknown[];
}

export interface DeletedBatch {
  rows: number;
  /** Archive lines (one JSON object per row) when asked for. */
  docs: string[];
  minTs: Date | null;
  maxTs: Date | null;
}

/**
 * Deletes at most `limit` rows of a selection, found by ctid so each batch is a short index or
 * sequential read plus a TID scan. With `archiveRow` the deleted rows come back as archive lines.
 * Runs in the caller's transaction, if any.
 */
export async function deleteBatch(
  client: ClientBase,
  selection: RowSelection,
  limit: number,
  /** The archive line of a row (archiveRowSql with alias t), to get the deleted rows back. */
  archiveRow?: string,
): Promise<DeletedBatch> {
  const base = `DELETE FROM ${selection.leaf} AS t
    WHERE t.ctid = ANY(ARRAY(SELECT s.ctid FROM ${selection.leaf} AS s WHERE ${selection.where} LIMIT ${Math.floor(limit)}))`;
  if (!archiveRow) {
    const result = await client.query(base, selection.params);
    return { rows: result.rowCount ?? 0, docs: [], minTs: null, maxTs: null };
  }
  const result = await client.query<{ ts: Date; doc: string }>(
    `${base} RETURNING t.ts, ${archiveRow} AS doc`,
    selection.params,
  );
  let minTs: Date | null = null;
  let maxTs: Date | null = null;
  for (const row of result.rows) {
    if (!minTs || row.ts < minTs) minTs = row.ts;
    if (!maxTs || row.ts > maxTs) maxTs = row.ts;
  }
  return {
    rows: result.rows.length,
    docs: result.rows.map((row) => row.doc),
    minTs,
    maxTs,
  };
}

/**
 * One archive line: the row as a JSON object keyed by column name in table order, with the 64-bit
 * id as a string (JSON numbers lose precision above 2^53). row_to_json over a sub-select is about
 * 2.5x faster than to_jsonb (no binary jsonb detour). Import reads it with jsonb_populate_record.
 */
export function archiveRowSql(alias: string, columns: string[]): string {
  const list = columns
    .map((column) => (column === 'id' ? `${alias}.id::text AS id` : `${alias}.${sqlName(column)}`))
    .join(', ');
  return `row_to_json((SELECT archived FROM (SELECT ${list}) archived))::text`;
}

/** The columns of `logs` in table order: the keys of every archive line. */
export async function logColumns(client: ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT attname AS name FROM pg_attribute
      WHERE attrelid = 'logs'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
  );
  return rows.map((row) => row.name);
}

/** Rows in a leaf, from statistics when the leaf was analysed, else counted. */
export async function leafRows(client: ClientBase, leaf: string): Promise<number> {
  const { rows } = await client.query<{ n: string | null }>(
    `SELECT CASE WHEN reltuples >= 0 THEN reltuples::bigint END AS n FROM pg_class
      WHERE oid = $1::regclass`,
    [leaf],
  );
  if (rows[0]?.n !== null && rows[0]?.n !== undefined) return Number(rows[0].n);
  const counted = await client.query<{ n: string }>(`SELECT count(*)::bigint AS n FROM ${leaf}`);
  return Number(counted.rows[0].n);
}

/**
 * Gives the space of deleted rows back. A plain VACUUM only makes it reusable inside the table
 * (and cuts empty pages at its end): enough for a table still written to, but a closed day is
 * never written again, so when a large part of it went, VACUUM FULL rewrites it (an exclusive lock
 * on that leaf for the rewrite: searches of that leaf wait, other leaves are untouched).
 * Returns the bytes given back to the file system.
 */
export async function reclaimSpace(
  client: ClientBase,
  leaf: string,
  full: boolean,
): Promise<number> {
  const before = await relationBytes(client, leaf);
  // Deleted rows stay on disk while a transaction that began before the DELETE could still see
  // them (an ingest COPY, a search): the rewrite would copy them along and free nothing.
  if (full) await waitForEarlierTransactions(client);
  await client.query(`SET lock_timeout = '${DROP_LOCK_TIMEOUT}'`);
  try {
    await client.query(full ? `VACUUM (FULL) ${leaf}` : `VACUUM ${leaf}`);
  } finally {
    await client.query('RESET lock_timeout');
  }
  const after = await relationBytes(client, leaf);
  return Math.max(0, before - after);
}

/**
 * Longest wait for older transactions before a rewrite. Searches stop at 10 s and COPYs take
 * milliseconds; a session left idle in a transaction must not stall retention for ever (the
 * rewrite then frees what it can).
 */
const OLDER_TRANSACTIONS_TIMEOUT_MS = 10_000;

/**
 * Waits until rows deleted before the call can really be removed: no transaction id as old is
 * still running anywhere on the server (VACUUM's own snapshot would count it), and no session of
 * this database holds a snapshot as old. Returns whether it got there before the timeout.
 */
export async function waitForEarlierTransactions(
  client: ClientBase,
  timeoutMs = OLDER_TRANSACTIONS_TIMEOUT_MS,
): Promise<boolean> {
  const { rows } = await client.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows: state } = await client.query<{ clear: boolean }>(
      `SELECT pg_snapshot_xmin(pg_current_snapshot()) > $1::xid8
          AND NOT EXISTS (
            SELECT 1 FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()
               AND backend_type = 'client backend' AND backend_xmin IS NOT NULL
               AND age(backend_xmin) >= age((($1::xid8)::text::bigint % 4294967296)::text::xid)
          ) AS clear`,
      [rows[0].xid],
    );
    if (state[0].clear) return true;
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
}

export interface TruncateOutcome {
  rows: number;
  bytesFreed: number;
}

/**
 * Empties a whole leaf at once when every row of it is selected: instant, and the space goes back
 * to the disk at commit (no VACUUM, no wait for older snapshots). Writers of that leaf are held
 * off (readers go on) while the selection is checked again under the lock, and while
 * `beforeTruncate` archives the rows, so nothing that arrived meanwhile is lost. Returns null
 * (nothing done) when a row outside the selection is there or the lock could not be had.
 */
export async function truncateLeaf(
  client: ClientBase,
  selection: RowSelection,
  beforeTruncate?: () => Promise<void>,
): Promise<TruncateOutcome | null> {
  const { leaf, where, params } = selection;
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL lock_timeout = '${DROP_LOCK_TIMEOUT}'`);
    await client.query(`LOCK TABLE ${leaf} IN SHARE MODE`);
    const { rows } = await client.query<{ whole: boolean; n: string }>(
      `SELECT NOT EXISTS (SELECT 1 FROM ${leaf} WHERE NOT (${where})) AS whole,
              (SELECT count(*) FROM ${leaf})::bigint AS n`,
      params,
    );
    if (!rows[0].whole) {
      await client.query('ROLLBACK');
      return null;
    }
    const before = await relationBytes(client, leaf);
    await beforeTruncate?.();
    await client.query(`TRUNCATE ${leaf}`);
    await client.query('COMMIT');
    const after = await relationBytes(client, leaf);
    return { rows: Number(rows[0].n), bytesFreed: Math.max(0, before - after) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (isLockTimeout(error)) return null;
    throw error;
  }
}
