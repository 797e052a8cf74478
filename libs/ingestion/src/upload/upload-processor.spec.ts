import { Logger } from '@nestjs/common';
import type { LookoutConfig } from '@app/config';
import type { RawLine } from '@app/queue';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Repository } from 'typeorm';
import type { IngestService } from '../ingest.service';
import { QueueFullException } from '../queue-full.exception';
import { UploadProcessor } from './upload-processor';
import type { UploadEntity } from './upload.entity';

/** The processor against a fake ingest entrance and a fake repository (no database, no Redis). */
describe('UploadProcessor', () => {
  let dir: string;
  let updates: Partial<UploadEntity>[];
  let chunks: RawLine[][];
  let queueFullTimes: number;
  let failEnqueue: boolean;

  const upload = { id: 'u1', filename: 'f.log', source: 'files' } as UploadEntity;
  const repository = {
    update: async (_criteria: unknown, values: Partial<UploadEntity>) => {
      updates.push(values);
      return { affected: 1 };
    },
  } as unknown as Repository<UploadEntity>;
  const ingest = {
    ensureCapacity() {
      if (queueFullTimes-- > 0) throw new QueueFullException(123, 0.01);
    },
    async acceptLines(lines: RawLine[]) {
      if (failEnqueue) throw new Error('Redis is down');
      chunks.push(lines);
      return lines.length;
    },
  } as unknown as IngestService;
  const processor = new UploadProcessor(repository, ingest, {
    maxLineLength: 1000,
  } as LookoutConfig);

  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'upload-processor-'));
    updates = [];
    chunks = [];
    queueFullTimes = 0;
    failEnqueue = false;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('sends 5000 lines at a time, waits out a full queue, and records done', async () => {
    const content = Array.from({ length: 12_001 }, (_, i) => `line ${i}`).join('\n');
    const path = write('a.log', content);
    queueFullTimes = 2;
    await processor.process(upload, { path, gzip: false }, () => false);
    expect(chunks.map((chunk) => chunk.length)).toEqual([5000, 5000, 2001]);
    expect(chunks[2][2000]).toMatchObject({ raw: 'line 12000', source: 'files' });
    expect(updates[0]).toEqual({ status: 'processing' });
    expect(updates.at(-1)).toMatchObject({
      status: 'done',
      linesDone: 12_001,
      linesTotal: 12_001,
      bytesDone: Buffer.byteLength(content),
      finishedAt: expect.any(Date),
    });
    expect(existsSync(path)).toBe(false);
  });

  it('marks the upload failed with the reason when the gzip data is corrupt', async () => {
    const gz = gzipSync(Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n'));
    const path = write('a.gz', Buffer.concat([gz.subarray(0, 10), Buffer.from('garbage')]));
    await processor.process(upload, { path, gzip: true }, () => false);
    expect(updates.at(-1)).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^The file is not valid gzip data/),
    });
    expect(existsSync(path)).toBe(false);
  });

  it('fails clearly when lines cannot be queued, or when the api stops', async () => {
    const path = write('a.log', 'one\ntwo\n');
    failEnqueue = true;
    await processor.process(upload, { path, gzip: false }, () => false);
    expect(updates.at(-1)).toMatchObject({
      status: 'failed',
      error:
        'Lines could not be queued (Redis is down); 0 lines were accepted before that and stay stored.',
    });

    failEnqueue = false;
    const second = write('b.log', 'one\n');
    await processor.process(upload, { path: second, gzip: false }, () => true);
    expect(updates.at(-1)).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('the api shut down'),
    });
    expect(existsSync(second)).toBe(false);
  });
});
