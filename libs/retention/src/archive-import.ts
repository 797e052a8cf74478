import type { ArchiveListItem, ArchiveManifest } from '@app/contracts';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { rebuildRollups, type RollupDatabase } from '@app/storage';
import type { ClientBase } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { MANIFEST_SUFFIX } from './archive-writer';

/** A problem with an archive file itself (missing, altered, not an archive): not retried. */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
}

export interface ImportResult {
  archiveId: string;
  manifestPath: string;
  /** True when this archive was imported before: nothing was written this time. */
  alreadyImported: boolean;
  rowsInFile: number;
  /** Rows written now; rows already in the table (same id and time) are skipped. */
  rowsInserted: number;
  durationMs: number;
}

/** Reads and checks a manifest; accepts the manifest path or the data file next to it. */
export async function readManifest(
  path: string,
): Promise<{ manifest: ArchiveManifest; manifestPath: string; dataPath: string }> {
  const manifestPath = path.endsWith('.ndjson.gz')
    ? path.slice(0, -'.ndjson.gz'.length) + MANIFEST_SUFFIX
    : path;
  let manifest: ArchiveManifest;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as ArchiveManifest;
  } catch (error) {
    throw new ArchiveError(`Cannot read the manifest ${manifestPath}: ${(error as Error).message}`);
  }
  if (manifest?.format !== 'lookout-archive' || manifest.version !== 1) {
    throw new ArchiveError(`${manifestPath} is not a Lookout archive manifest (version 1)`);
  }
  if (
    typeof manifest.id !== 'string' ||
    typeof manifest.file !== 'string' ||
    basename(manifest.file) !== manifest.file ||
    !/^[0-9a-f]{64}$/.test(manifest.sha256) ||
    !Number.isSafeInteger(manifest.rows)
  ) {
    throw new ArchiveError(`${manifestPath} is incomplete (id, file, sha256 or rows)`);
  }
  return {
    manifest,
    manifestPath: resolve(manifestPath),
    dataPath: join(dirname(manifestPath), manifest.file),
  };
}

/** SHA-256 of a file, streamed. */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (error) {
    throw new ArchiveError(`Cannot read ${path}: ${(error as Error).message}`);
  }
  return hash.digest('hex');
}

/** Checks the data file against its manifest's checksum; throws ArchiveError when it differs. */
export async function verifyArchive(path: string): Promise<ArchiveManifest> {
  const { manifest, dataPath } = await readManifest(path);
  const actual = await fileSha256(dataPath);
  if (actual !== manifest.sha256) {
    throw new ArchiveError(
      `Checksum mismatch for ${dataPath}: the manifest says ${manifest.sha256}, the file is ${actual}`,
    );
  }
  return manifest;
}

/**
 * Imports an archive back into `logs`, in one transaction: the checksum is verified first, the
 * rows are streamed through COPY into a temporary table (never all in memory), checked against
 * the manifest's count and checksum again, then inserted with their original ids. Idempotent: the
 * archive id is claimed in `retention_archive_imports` (a second import is a no-op), and rows
 * already present (same id and time, e.g. from two archives of one day) are skipped.
 * Lines whose day has no partition any more land in `logs_default`, searchable as usual.
 */
export async function importArchive(client: ClientBase, path: string): Promise<ImportResult> {
  const started = Date.now();
  const { manifest, manifestPath, dataPath } = await readManifest(path);
  await verifyArchive(manifestPath);
  const result = (alreadyImported: boolean, rowsInserted: number): ImportResult => ({
    archiveId: manifest.id,
    manifestPath,
    alreadyImported,
    rowsInFile: manifest.rows,
    rowsInserted,
    durationMs: Date.now() - started,
  });

  await client.query('BEGIN');
  try {
    // Claimed like an ingest batch: a concurrent import of the same archive waits here, then skips.
    const claim = await client.query(
      `INSERT INTO retention_archive_imports (archive_id, rows_in_file, rows_inserted, manifest_path)
       VALUES ($1, $2, 0, $3) ON CONFLICT (archive_id) DO NOTHING`,
      [manifest.id, manifest.rows, manifestPath],
    );
    if (claim.rowCount === 0) {
      await client.query('ROLLBACK');
      return result(true, 0);
    }
    await client.query(`CREATE TEMP TABLE lookout_archive_rows (doc text NOT NULL) ON COMMIT DROP`);
    const hash = createHash('sha256');
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    // CSV with delimiter and quote bytes that JSON text never holds raw: each line is read verbatim.
    const copy = client.query(
      copyFrom(
        `COPY lookout_archive_rows (doc) FROM STDIN WITH (FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02')`,
      ),
    );
    try {
      await pipeline(createReadStream(dataPath), tap, createGunzip(), skipBlankLines(), copy);
    } catch (error) {
      throw new ArchiveError(`Cannot load ${dataPath}: ${(error as Error).message}`);
    }
    if (hash.digest('hex') !== manifest.sha256) {
      throw new ArchiveError(`${dataPath} changed while it was being imported`);
    }
    const copied = Number(copy.rowCount ?? 0);
    if (copied !== manifest.rows) {
      throw new ArchiveError(
        `${dataPath} holds ${copied} rows but its manifest says ${manifest.rows}`,
      );
    }
    const inserted = await client.query<{ n: string; max_id: string | null }>(
      `WITH inserted AS (
         INSERT INTO logs
         SELECT r.* FROM lookout_archive_rows a,
                LATERAL jsonb_populate_record(NULL::logs, a.doc::jsonb) r
         ON CONFLICT DO NOTHING
         RETURNING id)
       SELECT count(*)::bigint AS n, max(id)::text AS max_id FROM inserted`,
    );
    const rowsInserted = Number(inserted.rows[0].n);
    // Restored ids must stay unique after a restore into a fresh database.
    if (inserted.rows[0].max_id !== null) {
      await client.query(
        `SELECT setval('logs_id_seq', greatest($1::bigint, (SELECT last_value FROM logs_id_seq)))`,
        [inserted.rows[0].max_id],
      );
    }
    if (manifest.minTs && manifest.maxTs) {
      // Restored lines did not pass through LogWriter: their per-minute rollups are recomputed.
      await rebuildRollups(asRollupDatabase(client), {
        from: new Date(manifest.minTs),
        to: new Date(Date.parse(manifest.maxTs) + 1),
      });
    }
    await client.query(
      `UPDATE retention_archive_imports SET rows_inserted = $2 WHERE archive_id = $1`,
      [manifest.id, rowsInserted],
    );
    await client.query(
      `INSERT INTO retention_actions
         (action, reason, partition, source, range_from, range_to, rows, bytes_freed, archive_path, duration_ms)
       VALUES ('import-archive', 'restore', $1, $2, $3, $4, $5, 0, $6, $7)`,
      [
        manifest.partition,
        manifest.source,
        manifest.minTs,
        manifest.maxTs,
        rowsInserted,
        manifestPath,
        Date.now() - started,
      ],
    );
    await client.query('COMMIT');
    return result(false, rowsInserted);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** A plain pg connection where storage expects a TypeORM one (only `query` is used). */
function asRollupDatabase(client: ClientBase): RollupDatabase {
  return {
    query: async (sql: string, params?: unknown[]) => (await client.query(sql, params)).rows,
  } as unknown as RollupDatabase;
}

/** Drops empty lines (a file ends with a newline); COPY would read one as a NULL row. */
function skipBlankLines(): Transform {
  let previous = 10; // as if after a newline
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const out = Buffer.allocUnsafe(chunk.length);
      let length = 0;
      for (const byte of chunk) {
        if (byte === 10 && previous === 10) continue;
        out[length++] = byte;
        previous = byte;
      }
      done(null, out.subarray(0, length));
    },
  });
}

/** The archives in a directory, newest first, with when each was imported back (if it was). */
export async function listArchives(
  dir: string,
  imported: (ids: string[]) => Promise<Map<string, Date>>,
): Promise<ArchiveListItem[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const items: ArchiveListItem[] = [];
  for (const name of names.filter((file) => file.endsWith(MANIFEST_SUFFIX))) {
    try {
      const { manifest, manifestPath } = await readManifest(join(dir, name));
      items.push({
        id: manifest.id,
        manifestPath,
        rows: manifest.rows,
        compressedBytes: manifest.compressedBytes,
        minTs: manifest.minTs,
        maxTs: manifest.maxTs,
        partition: manifest.partition,
        source: manifest.source,
        reason: manifest.reason,
        createdAt: manifest.createdAt,
        importedAt: null,
      });
    } catch {
      // Not a manifest of ours: not listed.
    }
  }
  const importedAt = await imported(items.map((item) => item.id));
  for (const item of items) item.importedAt = importedAt.get(item.id)?.toISOString() ?? null;
  return items.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}
