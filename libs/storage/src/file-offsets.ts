import type { PoolClient } from 'pg';
import type { NewLogRow, TailCheckpoint } from './log-row';

/**
 * Exactly-once for tailed files, line by line. A file source resumes after a restart from the
 * offsets stored here, so it may read again lines that are still waiting in the queue. Inside the
 * COPY transaction the offset rows of the files in the batch are locked; lines at or before the
 * stored offset are dropped as already stored, and the offsets move to the last line kept.
 */
export async function keepUnstoredFileLines(client: PoolClient, rows: NewLogRow[]): Promise<NewLogRow[]> {
  const latest = new Map<string, TailCheckpoint>();
  for (const row of rows) {
    const checkpoint = row.checkpoint;
    if (!checkpoint) continue;
    const key = `${checkpoint.sourceId}\u0000${checkpoint.fileKey}`;
    const seen = latest.get(key);
    if (!seen || checkpoint.offset > seen.offset) latest.set(key, checkpoint);
  }
  if (latest.size === 0) return rows;

  const files = [...latest.values()];
  const sourceIds = files.map((file) => file.sourceId);
  const fileKeys = files.map((file) => file.fileKey);
  // A row to lock for every file of a still-existing source (a deleted source keeps no offsets).
  await client.query(
    `INSERT INTO file_offsets (source_id, file_key, path, byte_offset)
     SELECT f.source_id, f.file_key, f.path, -1
       FROM unnest($1::uuid[], $2::text[], $3::text[]) AS f(source_id, file_key, path)
      WHERE EXISTS (SELECT 1 FROM sources s WHERE s.id = f.source_id)
     ON CONFLICT (source_id, file_key) DO NOTHING`,
    [sourceIds, fileKeys, files.map((file) => file.path)],
  );
  const stored = await client.query<{ source_id: string; file_key: string; byte_offset: string }>(
    `SELECT source_id, file_key, byte_offset FROM file_offsets
      WHERE (source_id, file_key) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))
      ORDER BY source_id, file_key
      FOR UPDATE`,
    [sourceIds, fileKeys],
  );
  const storedOffset = new Map(
    stored.rows.map((row) => [`${row.source_id}\u0000${row.file_key}`, Number(row.byte_offset)]),
  );
  const kept = rows.filter((row) => {
    const checkpoint = row.checkpoint;
    if (!checkpoint) return true;
    const offset = storedOffset.get(`${checkpoint.sourceId}\u0000${checkpoint.fileKey}`);
    return offset === undefined || checkpoint.offset > offset;
  });
  await client.query(
    `UPDATE file_offsets o SET byte_offset = f.byte_offset, path = f.path, updated_at = now()
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[]) AS f(source_id, file_key, path, byte_offset)
      WHERE o.source_id = f.source_id AND o.file_key = f.file_key AND o.byte_offset < f.byte_offset`,
    [sourceIds, fileKeys, files.map((file) => file.path), files.map((file) => file.offset)],
  );
  return kept;
}
