import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import type { CheckpointUpdate } from '@app/tailer';
import { writeFileAtomic } from './atomic-write';
import type { ShipEvent } from './ingest-client';
import type { AgentLog } from './log';

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);

/** `<sequence>-<lines>.seg`: the order and the line count are known without reading the file. */
const SEGMENT_NAME = /^(\d{12})-(\d+)\.seg$/;

interface Segment {
  seq: number;
  lines: number;
  bytes: number;
}

/** What a segment file holds (gzipped JSON). */
interface SegmentRecord {
  events: ShipEvent[];
  /** The checkpoints these events complete, applied on start-up if offsets were not saved yet. */
  updates: CheckpointUpdate[];
}

export interface BufferedBatch extends SegmentRecord {
  seq: number;
}

const segmentName = (seq: number, lines: number) => `${String(seq).padStart(12, '0')}-${lines}.seg`;

/**
 * Batches the server could not take yet, oldest first, each in its own segment file written in one
 * step (temporary file, then rename), so a crash never leaves half a batch. Over `maxBytes` the
 * oldest segments are deleted and their lines counted as dropped; the one being sent is kept.
 */
export class DiskBuffer {
  /** Lines dropped since start: the buffer was full, or a segment could not be read. */
  dropped = 0;
  /** The updates of the newest segment at start-up (see `SegmentRecord.updates`). */
  recoveredUpdates: CheckpointUpdate[] = [];
  private segments: Segment[] = [];
  private nextSeq = 1;
  private sending: number | undefined;

  private constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly log: AgentLog,
  ) {}

  static async open(dir: string, maxBytes: number, log: AgentLog): Promise<DiskBuffer> {
    await fs.mkdir(dir, { recursive: true });
    const buffer = new DiskBuffer(dir, maxBytes, log);
    await buffer.load();
    return buffer;
  }

  get isEmpty(): boolean {
    return this.segments.length === 0;
  }

  get lines(): number {
    return this.segments.reduce((sum, segment) => sum + segment.lines, 0);
  }

  get bytes(): number {
    return this.segments.reduce((sum, segment) => sum + segment.bytes, 0);
  }

  /** Writes a batch after all the others; returns how many lines were dropped to make room. */
  async append(events: ShipEvent[], updates: CheckpointUpdate[]): Promise<number> {
    const segment = await this.write(this.nextSeq++, { events, updates });
    this.segments.push(segment);
    return this.enforceLimit();
  }

  /** The oldest batch, kept from being dropped until it is removed or another one is read. */
  async oldest(): Promise<BufferedBatch | undefined> {
    while (this.segments.length > 0) {
      const segment = this.segments[0];
      this.sending = segment.seq;
      try {
        const record = await this.read(segment);
        return { seq: segment.seq, ...record };
      } catch (error) {
        this.log.error(
          `disk buffer: dropping unreadable ${segmentName(segment.seq, segment.lines)}: ${(error as Error).message}`,
        );
        this.dropped += segment.lines;
        await this.delete(segment);
      }
    }
    return undefined;
  }

  /** The batch was delivered. */
  async remove(seq: number): Promise<void> {
    const segment = this.segments.find((candidate) => candidate.seq === seq);
    if (segment) await this.delete(segment);
  }

  /** Part of a batch was delivered: keep only the rest (the server split it with 413s). */
  async replace(seq: number, record: SegmentRecord): Promise<void> {
    const index = this.segments.findIndex((candidate) => candidate.seq === seq);
    if (index === -1) return;
    const old = this.segments[index];
    this.segments[index] = await this.write(seq, record);
    if (old.lines !== record.events.length) {
      await fs.rm(path.join(this.dir, segmentName(old.seq, old.lines)), { force: true });
    }
  }

  private async load(): Promise<void> {
    const bySeq = new Map<number, Segment>();
    for (const name of await fs.readdir(this.dir)) {
      const file = path.join(this.dir, name);
      const match = SEGMENT_NAME.exec(name);
      if (!match) {
        if (name.endsWith('.tmp')) await fs.rm(file, { force: true }); // a write cut short
        continue;
      }
      const segment = {
        seq: Number(match[1]),
        lines: Number(match[2]),
        bytes: (await fs.stat(file)).size,
      };
      // Two files of one sequence: a `replace` cut short; the one with fewer lines is the newer.
      const twin = bySeq.get(segment.seq);
      if (twin) {
        const [keep, stale] = twin.lines <= segment.lines ? [twin, segment] : [segment, twin];
        await fs.rm(path.join(this.dir, segmentName(stale.seq, stale.lines)), { force: true });
        bySeq.set(keep.seq, keep);
      } else {
        bySeq.set(segment.seq, segment);
      }
    }
    this.segments = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    const newest = this.segments.at(-1);
    if (!newest) return;
    this.nextSeq = newest.seq + 1;
    this.recoveredUpdates = await this.read(newest).then(
      (record) => record.updates,
      () => [],
    );
  }

  private async write(seq: number, record: SegmentRecord): Promise<Segment> {
    const data = await gzip(JSON.stringify(record));
    await writeFileAtomic(path.join(this.dir, segmentName(seq, record.events.length)), data);
    return { seq, lines: record.events.length, bytes: data.length };
  }

  private async read(segment: Segment): Promise<SegmentRecord> {
    const data = await fs.readFile(path.join(this.dir, segmentName(segment.seq, segment.lines)));
    return JSON.parse((await gunzip(data)).toString('utf8')) as SegmentRecord;
  }

  private async delete(segment: Segment): Promise<void> {
    this.segments = this.segments.filter((candidate) => candidate !== segment);
    if (this.sending === segment.seq) this.sending = undefined;
    await fs.rm(path.join(this.dir, segmentName(segment.seq, segment.lines)), { force: true });
  }

  private async enforceLimit(): Promise<number> {
    let dropped = 0;
    let bytes = this.bytes;
    while (bytes > this.maxBytes) {
      const oldest = this.segments.find((segment) => segment.seq !== this.sending);
      if (!oldest) break;
      await this.delete(oldest);
      bytes -= oldest.bytes;
      dropped += oldest.lines;
    }
    this.dropped += dropped;
    return dropped;
  }
}
