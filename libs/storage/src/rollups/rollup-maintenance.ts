import type { DataSource, EntityManager } from 'typeorm';

/** A DataSource (its own transaction), or an EntityManager (inside the caller's transaction, if any). */
export type RollupDatabase = DataSource | EntityManager;

/**
 * Forgets the rollups of lines removed from [from, to) — of one source when `source` is given — so
 * histograms and aggregations stop counting them. Call it after the lines are gone (dropped
 * partition, deleted rows): minutes and hours inside the range are deleted, and a minute cut by
 * `from` or `to` is recomputed from the lines still stored. Day bounds (a dropped partition) are
 * whole minutes and hours, so for them the order does not matter.
 */
export async function deleteRollups(
  db: RollupDatabase,
  range: { from: Date; to: Date; source?: string },
): Promise<void> {
  await db.query('SELECT log_rollups_forget($1::timestamptz, $2::timestamptz, $3::text)', [
    range.from,
    range.to,
    range.source ?? null,
  ]);
}

/**
 * Recomputes the rollups of [from, to) (widened to whole minutes) from the stored lines: for lines
 * written without LogWriter, such as an archive restored with INSERT or a bulk load with COPY.
 */
export async function rebuildRollups(
  db: RollupDatabase,
  range: { from: Date; to: Date },
): Promise<void> {
  await db.query('SELECT log_rollups_rebuild($1::timestamptz, $2::timestamptz)', [
    range.from,
    range.to,
  ]);
}

/**
 * Merges the partial rollup rows the workers appended into one row per minute and dimensions (and
 * into the hourly rows). Returns how many partial rows were merged, or null when another process
 * was compacting.
 */
export async function compactRollups(db: RollupDatabase): Promise<number | null> {
  const [{ merged }]: { merged: number }[] = await db.query(
    'SELECT log_rollups_compact() AS merged',
  );
  return merged < 0 ? null : merged;
}
