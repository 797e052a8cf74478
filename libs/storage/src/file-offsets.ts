import type { PoolClient } from 'pg';
import type { NewLogRow } from './log-row';

type Range = [start: number, end: number];

/** `{[0,2500),[3000,4000)}` → ranges (int8multirange text: canonical, sorted, half-open). */
export function parseMultirange(text: string): Range[] {
  return [...text.matchAll(/\[(\d+),(\d+)\)/g)].map((match) => [
    Number(match[1]),
    Number(match[2]),
  ]);
}

/** Ranges → int8multirange text; adjacent ranges are merged here, overlapping ones by Postgres. */
export function toMultirange(ranges: Range[]): string {
  const merged: Range[] = [];
  for (const [start, end] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return `{${merged.map(([start, end]) => `[${start},${end})`).join(',')}}`;
}

function contains(ranges: Range[], start: number, end: number): boolean {
  return ranges.some(([from, to]) => from <= start && end <= to);
}

/**
 * Exactly-once for tailed files, line by line. A file source resumes after a restart from the
 * stored offset, so it may read again lines still waiting in the queue, and batches of one file
 * may commit out of order (several workers). Each line carries its byte range [start, end); inside
 * the COPY transaction the rows of the batch's files are locked, lines whose range is already in
 * `stored` are dropped, and the ranges of the lines kept are added to it. Three small queries per
 * batch, whatever its size: ranges are compared here, not per line in SQL.
 */
export async function keepUnstoredFileLines(
  client: PoolClient,
  rows: NewLogRow[],
): Promise<NewLogRow[]> {
  const files = new Map<
    string,
    { sourceId: string; fileKey: string; path: string; lastEnd: number }
  >();
  for (const row of rows) {
    const checkpoint = row.checkpoint;
    if (!checkpoint) continue;
    const key = `${checkpoint.sourceId}\u0000${checkpoint.fileKey}`;
    const file = files.get(key);
    if (!file) files.set(key, { ...checkpoint, lastEnd: checkpoint.offset });
    else if (checkpoint.offset > file.lastEnd) file.lastEnd = checkpoint.offset;
  }
  if (files.size === 0) return rows;
  const list = [...files.values()];
  const ids = [list.map((file) => file.sourceId), list.map((file) => file.fileKey)];

  // A row to lock for every file of a still-existing source (a deleted source keeps nothing).
  await client.query(
    `INSERT INTO file_offsets (source_id, file_key, path, byte_offset)
     SELECT f.source_id, f.file_key, f.path, 0
       FROM unnest($1::uuid[], $2::text[], $3::text[]) AS f(source_id, file_key, path)
      WHERE EXISTS (SELECT 1 FROM sources s WHERE s.id = f.source_id)
     ON CONFLICT (source_id, file_key) DO NOTHING`,
    [...ids, list.map((file) => file.path)],
  );
  const locked = await client.query<{ source_id: string; file_key: string; stored: string }>(
    `SELECT source_id, file_key, stored::text AS stored FROM file_offsets
      WHERE (source_id, file_key) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))
      ORDER BY source_id, file_key FOR UPDATE`,
    ids,
  );
  const stored = new Map(
    locked.rows.map((row) => [
      `${row.source_id}\u0000${row.file_key}`,
      parseMultirange(row.stored),
    ]),
  );

  const added = new Map<string, Range[]>();
  const kept = rows.filter((row) => {
    const checkpoint = row.checkpoint;
    if (!checkpoint) return true;
    const key = `${checkpoint.sourceId}\u0000${checkpoint.fileKey}`;
    const ranges = stored.get(key);
    if (!ranges) return true; // the source was deleted: store the line, keep no position
    if (contains(ranges, checkpoint.start, checkpoint.offset)) return false;
    const mine = added.get(key) ?? [];
    mine.push([checkpoint.start, checkpoint.offset]);
    added.set(key, mine);
    return true;
  });

  if (added.size > 0) {
    const changed = [...added.entries()].map(([key, ranges]) => ({
      file: files.get(key)!,
      ranges,
    }));
    await client.query(
      `UPDATE file_offsets o
          SET stored = o.stored + f.ranges, byte_offset = GREATEST(o.byte_offset, f.last_end),
              path = f.path, updated_at = now()
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int8multirange[], $5::int8[])
              AS f(source_id, file_key, path, ranges, last_end)
        WHERE o.source_id = f.source_id AND o.file_key = f.file_key`,
      [
        changed.map(({ file }) => file.sourceId),
        changed.map(({ file }) => file.fileKey),
        changed.map(({ file }) => file.path),
        changed.map(({ ranges }) => toMultirange(ranges)),
        changed.map(({ file }) => file.lastEnd),
      ],
    );
  }
  return kept.length === rows.length ? rows : kept;
}
