import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { ArchiveError, readManifest, verifyArchive } from './archive-import';
import { ArchiveWriter, archiveId, recoverArchives, type ArchiveDraft } from './archive-writer';

/** Archive files on a real file system: format, manifest, checksum, crash recovery. */
describe('archive files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lookout-archive-test-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const draft = (id: string, kind: ArchiveDraft['kind']): ArchiveDraft => ({
    id,
    kind,
    from: '2026-11-01T00:00:00.000Z',
    to: '2026-11-02T00:00:00.000Z',
    partition: 'logs_p20261101',
    source: kind === 'deletes' ? 'nginx' : null,
    reason: kind === 'deletes' ? 'source-max-age' : 'max-age',
    runId: '3f2a1b9c-0000-4000-8000-000000000000',
    columns: ['id', 'ts', 'message'],
  });
  const line = (i: number) =>
    JSON.stringify({
      id: String(i),
      ts: `2026-11-01T00:00:${String(i % 60).padStart(2, '0')}Z`,
      message: `m ${i}`,
    });

  it('names archives safely and uniquely', () => {
    const id = archiveId({
      partition: 'logs_p20261101',
      reason: 'source-max-age',
      source: '../etc/pass wd',
      runId: '3f2a1b9c-aaaa',
      sequence: 4,
    });
    expect(id).toMatch(/^logs_p20261101-source-max-age-\.\._etc_pass_wd-[0-9a-f]{6}-3f2a1b9c-4$/);
    expect(id).not.toContain('/');
  });

  it('writes gzip NDJSON from a stream and from batches, with a manifest that verifies', async () => {
    const exported = await ArchiveWriter.open(dir, draft('day', 'export'));
    const lines = Array.from({ length: 1000 }, (_, i) => line(i));
    await exported.writeStream(
      Readable.from([
        Buffer.from(lines.slice(0, 500).join('\n') + '\n'),
        Buffer.from(lines.slice(500).join('\n') + '\n'),
      ]),
      new Date('2026-11-01T00:00:00Z'),
      new Date('2026-11-01T23:59:00Z'),
    );
    const { manifestPath, manifest } = await exported.finish();
    expect(manifest).toMatchObject({
      rows: 1000,
      minTs: '2026-11-01T00:00:00.000Z',
      partition: 'logs_p20261101',
    });
    const data = await readFile(join(dir, manifest.file));
    expect(manifest.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(gunzipSync(data).toString('utf8')).toBe(lines.join('\n') + '\n');
    expect((await verifyArchive(manifestPath)).rows).toBe(1000);

    // Batches: one gzip member each, read back as one stream.
    const deletes = await ArchiveWriter.open(dir, draft('rows', 'deletes'));
    await deletes.appendDurably(lines.slice(0, 10), null, null);
    await deletes.appendDurably(lines.slice(10, 30), null, null);
    const second = await deletes.finish();
    expect(second.manifest.rows).toBe(30);
    expect(
      gunzipSync(await readFile(join(dir, second.manifest.file)))
        .toString('utf8')
        .split('\n'),
    ).toHaveLength(31);
    expect((await readdir(dir)).sort()).toEqual([
      'day.manifest.json',
      'day.ndjson.gz',
      'rows.manifest.json',
      'rows.ndjson.gz',
    ]);
  });

  it('refuses an altered file and a file that is not a manifest', async () => {
    const writer = await ArchiveWriter.open(dir, draft('day', 'export'));
    await writer.appendDurably([line(1), line(2)], null, null);
    const { manifestPath, manifest } = await writer.finish();
    const data = await readFile(join(dir, manifest.file));
    data[data.length - 5] ^= 0x01;
    await writeFile(join(dir, manifest.file), data);
    await expect(verifyArchive(manifestPath)).rejects.toThrow(/Checksum mismatch/);
    await writeFile(join(dir, 'other.manifest.json'), '{"hello":1}');
    await expect(readManifest(join(dir, 'other.manifest.json'))).rejects.toBeInstanceOf(
      ArchiveError,
    );
  });

  it('after a crash: an unfinished export is removed, unfinished deletes are salvaged line by line', async () => {
    const exported = await ArchiveWriter.open(dir, draft('export-crashed', 'export'));
    await exported.appendDurably([line(1)], null, null);
    const deletes = await ArchiveWriter.open(dir, draft('deletes-crashed', 'deletes'));
    await deletes.appendDurably(
      Array.from({ length: 100 }, (_, i) => line(i)),
      null,
      null,
    );
    await deletes.appendDurably(
      Array.from({ length: 100 }, (_, i) => line(100 + i)),
      null,
      null,
    );
    // The process dies while a third batch is being written: its bytes are cut short.
    const partial = join(dir, 'deletes-crashed.ndjson.gz.partial');
    const whole = (await readFile(partial)).length;
    await deletes.appendDurably(
      Array.from({ length: 100 }, (_, i) => line(200 + i)),
      null,
      null,
    );
    await truncate(partial, whole + 20);
    await exported.release();
    await deletes.release();

    const salvaged = await recoverArchives(dir);
    expect(salvaged).toEqual(['deletes-crashed-salvaged']);
    const names = (await readdir(dir)).sort();
    expect(names).toEqual([
      'deletes-crashed-salvaged.manifest.json',
      'deletes-crashed-salvaged.ndjson.gz',
    ]);
    const manifest = await verifyArchive(join(dir, 'deletes-crashed-salvaged.manifest.json'));
    expect(manifest.rows).toBeGreaterThanOrEqual(200);
    expect(manifest).toMatchObject({
      source: 'nginx',
      reason: 'source-max-age',
      minTs: '2026-11-01T00:00:00.000Z',
    });
    const text = gunzipSync(await readFile(join(dir, manifest.file))).toString('utf8');
    const ids = text
      .split('\n')
      .filter(Boolean)
      .map((entry) => Number(JSON.parse(entry).id));
    expect(ids.slice(0, 200)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    // Nothing left to do the second time.
    expect(await recoverArchives(dir)).toEqual([]);
  });
});
