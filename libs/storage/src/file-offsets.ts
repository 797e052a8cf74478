import type { PoolClient } from 'pg';
import type { NewLogRow } from './log-row';

/**
 * Exactly-once for tailed files, line by line. A file source resumes after a restart from the
 * stored offset, so it may read again lines still waiting in the queue, and batches of one file
 * may commit out of order (several workers). Each line carries its byte range [start, end); inside
 * the COPY transaction the rows of the files in the batch are locked, lines whose range is already
 * in `stored` are dropped, and the ranges of the lines kept are added to it.
 */
export async function keepUnstoredFileLines(
  client: PoolClient,
  rows: NewLogRow[],
): Promise<NewLogRow[]> {
  const index: number[] = [];
  const sourceIds: string[] = [];
  const fileKeys: string[] = [];
  const paths: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  rows.forEach((row, i) => {
    const checkpoint = row.checkpoint;
    if (!checkpoint) return;
    index.push(i);
    sourceIds.push(checkpoint.sourceId);
    fileKeys.push(checkpoint.fileKey);
    paths.push(checkpoint.path);
    starts.push(checkpoint.start);
    ends.push(checkpoint.offset);
  });
  if (index.length === 0) return rows;
  const lines = [index, sourceIds, fileKeys, paths, starts, ends];
  const LINES = `unnest($1::int[], $2::uuid[], $3::text[], $4::text[], $5::int8[], $6::int8[])
                 AS f(idx, source_id, file_key, path, s, e)`;

  // A row to lock for every file of a still-existing source (a deleted source keeps nothing).
  await client.query(
    `INSERT INTO file_offsets (source_id, file_key, path, byte_offset)
     SELECT DISTINCT ON (f.source_id, f.file_key) f.source_id, f.file_key, f.path, 0 FROM ${LINES}
      WHERE EXISTS (SELECT 1 FROM sources s WHERE s.id = f.source_id)
     ON CONFLICT (source_id, file_key) DO NOTHING`,
    lines,
  );
  await client.query(
    `SELECT 1 FROM file_offsets
      WHERE (source_id, file_key) IN (SELECT DISTINCT f.source_id, f.file_key FROM ${LINES})
      ORDER BY source_id, file_key FOR UPDATE`,
    lines,
  );
  const duplicates = await client.query<{ idx: number }>(
    `SELECT f.idx FROM ${LINES}
       JOIN file_offsets o ON o.source_id = f.source_id AND o.file_key = f.file_key
      WHERE o.stored @> int8range(f.s, f.e)`,
    lines,
  );
  const skip = new Set(duplicates.rows.map((row) => row.idx));
  await client.query(
    `UPDATE file_offsets o
        SET stored = o.stored + k.ranges, byte_offset = GREATEST(o.byte_offset, k.last_end),
            path = k.path, updated_at = now()
       FROM (SELECT f.source_id, f.file_key, max(f.path) AS path, max(f.e) AS last_end,
                    range_agg(int8range(f.s, f.e)) AS ranges
               FROM ${LINES} WHERE NOT (f.idx = ANY($7::int[]))
              GROUP BY f.source_id, f.file_key) k
      WHERE o.source_id = k.source_id AND o.file_key = k.file_key`,
    [...lines, [...skip]],
  );
  return skip.size === 0 ? rows : rows.filter((_, i) => !skip.has(i));
}
