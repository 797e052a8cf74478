import type { ArchiveManifest, RetentionReason } from '@app/contracts';
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { constants as zlibConstants, createGunzip, createGzip, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

/** What an archive holds, known before it is written. */
export interface ArchiveDraft {
  id: string;
  /** `export`: a whole partition copied before a drop (nothing is removed until it is complete).
   *  `deletes`: rows appended batch by batch as they are deleted (each batch on disk before its
   *  DELETE commits), so a half-written one is salvaged, never thrown away. */
  kind: 'export' | 'deletes';
  from: string | null;
  to: string | null;
  partition: string | null;
  source: string | null;
  reason: RetentionReason;
  runId: string | null;
  columns: string[];
}

export const DATA_SUFFIX = '.ndjson.gz';
export const MANIFEST_SUFFIX = '.manifest.json';
const PARTIAL_SUFFIX = '.partial';
const PENDING_SUFFIX = '.pending.json';

/** A safe, unique file name stem: partition, reason, source and the run. */
export function archiveId(parts: {
  partition: string;
  reason: RetentionReason;
  source?: string | null;
  runId: string;
  sequence: number;
}): string {
  const source = parts.source
    ? `-${parts.source.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 40)}-${createHash('sha256').update(parts.source).digest('hex').slice(0, 6)}`
    : '';
  return `${parts.partition.replace(/[^A-Za-z0-9_]+/g, '_')}-${parts.reason}${source}-${parts.runId.slice(0, 8)}-${parts.sequence}`;
}

/**
 * Writes one archive: gzip NDJSON (one row per line) plus a manifest with the row count, the time
 * range, the columns and the SHA-256 of the compressed file. The data is written to a `.partial`
 * file next to a `.pending.json` draft; `finish` fsyncs, renames and writes the manifest last, so
 * a manifest always describes a complete file.
 */
export class ArchiveWriter {
  private rows = 0;
  private bytes = 0;
  private readonly hash: Hash = createHash('sha256');
  private minTs: Date | null = null;
  private maxTs: Date | null = null;

  private constructor(
    private readonly dir: string,
    private readonly draft: ArchiveDraft,
    private readonly handle: FileHandle,
  ) {}

  static async open(dir: string, draft: ArchiveDraft): Promise<ArchiveWriter> {
    await mkdir(dir, { recursive: true });
    await writeDurably(join(dir, `${draft.id}${PENDING_SUFFIX}`), JSON.stringify(draft));
    const handle = await open(join(dir, `${draft.id}${DATA_SUFFIX}${PARTIAL_SUFFIX}`), 'w');
    return new ArchiveWriter(dir, draft, handle);
  }

  get id(): string {
    return this.draft.id;
  }

  get rowCount(): number {
    return this.rows;
  }

  /**
   * Appends rows as one gzip member (a gzip file may hold many; every reader joins them) and
   * fsyncs: once this resolves the rows survive a crash, so their DELETE may commit.
   */
  async appendDurably(lines: string[], minTs: Date | null, maxTs: Date | null): Promise<void> {
    if (lines.length === 0) return;
    const member = await gzipAsync(Buffer.from(`${lines.join('\n')}\n`));
    await this.handle.write(member);
    this.hash.update(member);
    this.bytes += member.length;
    this.rows += lines.length;
    this.widen(minTs, maxTs);
    await this.handle.sync();
  }

  /** Compresses a stream of NDJSON lines (COPY … TO STDOUT) into the file, counting the lines. */
  async writeStream(source: Readable, minTs: Date | null, maxTs: Date | null): Promise<void> {
    const counter = new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) this.rows++;
        done(null, chunk);
      },
    });
    const tap = new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        this.hash.update(chunk);
        this.bytes += chunk.length;
        done(null, chunk);
      },
    });
    await pipeline(
      source,
      counter,
      createGzip(),
      tap,
      // Written through the handle itself, so finish() can fsync and close it.
      new Writable({
        write: (chunk: Buffer, _encoding, done) => {
          this.handle.write(chunk).then(() => done(), done);
        },
      }),
    );
    this.widen(minTs, maxTs);
    await this.handle.sync();
  }

  /** Completes the archive; returns the manifest path and the manifest. */
  async finish(): Promise<{ manifestPath: string; manifest: ArchiveManifest }> {
    await this.handle.sync();
    await this.handle.close();
    const manifest: ArchiveManifest = {
      format: 'lookout-archive',
      version: 1,
      id: this.draft.id,
      file: `${this.draft.id}${DATA_SUFFIX}`,
      sha256: this.hash.digest('hex'),
      compressedBytes: this.bytes,
      rows: this.rows,
      minTs: this.minTs?.toISOString() ?? null,
      maxTs: this.maxTs?.toISOString() ?? null,
      from: this.draft.from,
      to: this.draft.to,
      partition: this.draft.partition,
      source: this.draft.source,
      reason: this.draft.reason,
      runId: this.draft.runId,
      createdAt: new Date().toISOString(),
      columns: this.draft.columns,
    };
    const manifestPath = await publish(this.dir, this.draft.id, manifest);
    return { manifestPath, manifest };
  }

  /**
   * Closes the file and leaves everything as it is (the run failed half way): the next run
   * salvages it (see recoverArchives).
   */
  async release(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }

  /** Removes what was written (the export did not lead to a drop: the data is still in the table). */
  async abandon(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await removeArchiveFiles(this.dir, this.draft.id);
  }

  private widen(minTs: Date | null, maxTs: Date | null): void {
    if (minTs && (!this.minTs || minTs < this.minTs)) this.minTs = minTs;
    if (maxTs && (!this.maxTs || maxTs > this.maxTs)) this.maxTs = maxTs;
  }
}

/** Renames the data file into place and writes the manifest, each step durable. */
async function publish(dir: string, id: string, manifest: ArchiveManifest): Promise<string> {
  const partial = join(dir, `${id}${DATA_SUFFIX}${PARTIAL_SUFFIX}`);
  const dataPath = join(dir, `${id}${DATA_SUFFIX}`);
  if (await exists(partial)) await rename(partial, dataPath);
  const manifestPath = join(dir, `${id}${MANIFEST_SUFFIX}`);
  await writeDurably(`${manifestPath}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(`${manifestPath}.tmp`, manifestPath);
  await rm(join(dir, `${id}${PENDING_SUFFIX}`), { force: true });
  await syncDirectory(dir);
  return manifestPath;
}

/** Deletes a finished archive (its partition was not dropped after all: the rows are still stored). */
export async function discardArchive(dir: string, id: string): Promise<void> {
  await rm(join(dir, `${id}${MANIFEST_SUFFIX}`), { force: true });
  await removeArchiveFiles(dir, id);
}

async function removeArchiveFiles(dir: string, id: string): Promise<void> {
  for (const suffix of [
    `${DATA_SUFFIX}${PARTIAL_SUFFIX}`,
    DATA_SUFFIX,
    `${MANIFEST_SUFFIX}.tmp`,
    PENDING_SUFFIX,
  ]) {
    await rm(join(dir, `${id}${suffix}`), { force: true });
  }
}

/**
 * Finishes what a crashed run left in the archive directory (call only while holding the run
 * lock, so no writer is active). An unfinished export is removed: its partition was not dropped.
 * Unfinished deletes are salvaged: every complete line is kept (those rows are gone from the
 * table) and a manifest is written; a line of a batch whose DELETE did not commit may be kept
 * too, and is harmless, since importing skips rows that are already stored.
 * Returns the ids salvaged.
 */
export async function recoverArchives(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const salvaged: string[] = [];
  for (const name of names.filter((file) => file.endsWith(PENDING_SUFFIX))) {
    const id = name.slice(0, -PENDING_SUFFIX.length);
    const draft = JSON.parse(await readFile(join(dir, name), 'utf8')) as ArchiveDraft;
    if (await exists(join(dir, `${id}${MANIFEST_SUFFIX}`))) {
      await rm(join(dir, name), { force: true });
      continue;
    }
    if (draft.kind === 'export') {
      await removeArchiveFiles(dir, id);
      continue;
    }
    const candidates = [
      join(dir, `${id}${DATA_SUFFIX}${PARTIAL_SUFFIX}`),
      join(dir, `${id}${DATA_SUFFIX}`),
    ];
    const found = (await exists(candidates[0]))
      ? candidates[0]
      : (await exists(candidates[1]))
        ? candidates[1]
        : null;
    const writer = await ArchiveWriter.open(dir, { ...draft, id: `${id}-salvaged` });
    if (found) await copyCompleteLines(found, writer);
    await writer.finish();
    await removeArchiveFiles(dir, id);
    salvaged.push(writer.id);
  }
  return salvaged;
}

/**
 * Copies every complete line of a possibly truncated gzip file (a crash in the middle of a write)
 * into another archive, a batch at a time.
 */
async function copyCompleteLines(path: string, writer: ArchiveWriter): Promise<void> {
  const gunzip = createGunzip({ finishFlush: zlibConstants.Z_SYNC_FLUSH });
  let carry = '';
  let batch: string[] = [];
  let minTs: Date | null = null;
  let maxTs: Date | null = null;
  const flush = async () => {
    await writer.appendDurably(batch, minTs, maxTs);
    batch = [];
    minTs = maxTs = null;
  };
  const reading = pipeline(createReadStream(path), gunzip).catch(() => undefined);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      const lines = (carry + chunk.toString('utf8')).split('\n');
      carry = lines.pop() ?? '';
      for (const line of lines) {
        let ts: Date;
        try {
          ts = new Date((JSON.parse(line) as { ts: string }).ts);
        } catch {
          continue; // an empty or cut line
        }
        batch.push(line);
        if (!minTs || ts < minTs) minTs = ts;
        if (!maxTs || ts > maxTs) maxTs = ts;
        if (batch.length >= 10_000) await flush();
      }
    }
  } catch {
    // A corrupt tail: what came before it is kept.
  }
  await reading;
  await flush();
}

async function writeDurably(path: string, content: string): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic.
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
