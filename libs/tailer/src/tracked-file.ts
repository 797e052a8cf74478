import type { FileHandle } from 'node:fs/promises';
import { fileKeyOf } from './file-key';
import { LineSplitter, type SplitLine } from './line-splitter';
import { MultilineAssembler } from './multiline-assembler';
import type { MultilineRule, TailedLine } from './tailer.types';

export interface TrackedFileInit {
  path: string;
  inode: string;
  generation: number;
  offset: number;
  handle: FileHandle;
  maxLineBytes: number;
  multiline?: MultilineRule;
}

/** One open file: its identity, how far it has been read, and its unfinished line and event. */
export class TrackedFile {
  readonly path: string;
  readonly inode: string;
  generation: number;
  /** Next byte to read. Lines before it may still be held back (unfinished line, open event). */
  offset: number;
  /** Found by the latest scan. A file that is not is read to its end and closed. */
  matched = true;
  private readonly handle: FileHandle;
  private readonly maxLineBytes: number;
  private readonly multiline?: MultilineRule;
  private splitter: LineSplitter;
  private assembler: MultilineAssembler | undefined;
  /** When the latest stat began. */
  private statAt = 0;
  /**
   * When the first stat began that found the file read to its end since it last grew. Only stats
   * move it: time spent paused or on other files says nothing about whether the file grew.
   */
  private quietSince: number | undefined;

  constructor(init: TrackedFileInit) {
    this.path = init.path;
    this.inode = init.inode;
    this.generation = init.generation;
    this.offset = init.offset;
    this.handle = init.handle;
    this.maxLineBytes = init.maxLineBytes;
    this.multiline = init.multiline;
    this.splitter = new LineSplitter(init.maxLineBytes);
    this.assembler = init.multiline && new MultilineAssembler(init.multiline);
  }

  get fileKey(): string {
    return fileKeyOf(this.inode, this.generation);
  }

  /**
   * Reads the size of the open file (not of whatever its path now names); `now` is when the stat
   * began. A size of exactly `offset` starts the quiet clock, or keeps it running.
   */
  async stat(now: number): Promise<number> {
    const size = Number((await this.handle.stat({ bigint: true })).size);
    this.statAt = now;
    if (size === this.offset) this.quietSince ??= now;
    else this.quietSince = undefined;
    return size;
  }

  /** How long the file had gone without growing past `offset`, as its stats tell; 0 if it had. */
  get quietMs(): number {
    return this.quietSince === undefined ? 0 : this.statAt - this.quietSince;
  }

  /** Reads one chunk at `offset`; returns the lines it completes (none at end of file). */
  async read(buffer: Buffer, now: number): Promise<TailedLine[]> {
    const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, this.offset);
    if (bytesRead === 0) return [];
    const position = this.offset;
    this.offset += bytesRead;
    return this.complete(this.splitter.push(buffer.subarray(0, bytesRead), position), now);
  }

  /**
   * What has waited long enough, to be asked right after a stat: an unfinished line once the file
   * has not grown for `partialLineFlushMs`, then a multi-line event once it has not for the rule's
   * `flushMs`. The event waits while an unfinished line is held: that line may continue it.
   */
  flushIdle(partialLineFlushMs: number): TailedLine[] {
    const quietMs = this.quietMs;
    const lines: TailedLine[] = [];
    if (this.splitter.pendingBytes > 0) {
      if (quietMs < partialLineFlushMs) return lines;
      lines.push(...this.complete([this.splitter.flush(this.offset)!], this.statAt));
    }
    if (this.multiline && quietMs >= this.multiline.flushMs) {
      const event = this.assembler?.flushIfIdle(this.statAt);
      if (event) lines.push(this.toLine(event));
    }
    return lines;
  }

  /** Everything held back, as lines: the file is going away or starting over. */
  flushAll(now: number): TailedLine[] {
    const partial = this.splitter.flush(this.offset);
    const lines = partial ? this.complete([partial], now) : [];
    const event = this.assembler?.take();
    if (event) lines.push(this.toLine(event));
    return lines;
  }

  /** The file was truncated in place: its new content is a new stream, read from 0. */
  startNextGeneration(): void {
    this.generation++;
    this.offset = 0;
    this.splitter = new LineSplitter(this.maxLineBytes);
    this.assembler = this.multiline && new MultilineAssembler(this.multiline);
  }

  close(): Promise<void> {
    return this.handle.close();
  }

  private complete(lines: SplitLine[], now: number): TailedLine[] {
    if (!this.assembler) return lines.map((line) => this.toLine(line));
    const events: TailedLine[] = [];
    for (const line of lines) {
      for (const event of this.assembler.push(line, now)) events.push(this.toLine(event));
    }
    return events;
  }

  private toLine(line: SplitLine): TailedLine {
    const tailed: TailedLine = {
      text: line.text,
      path: this.path,
      fileKey: this.fileKey,
      start: line.start,
      offset: line.end,
    };
    if (line.truncatedFrom !== undefined) tailed.truncatedFrom = line.truncatedFrom;
    return tailed;
  }
}
