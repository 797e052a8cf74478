const LF = 0x0a;
const CR = 0x0d;

export interface SplitLine {
  text: string;
  /** Byte offset of the line's first byte. */
  start: number;
  /** Byte offset just after the line (after its LF). */
  end: number;
  truncatedFrom?: number;
}

/** Where to cut `bytes` at most `limit` bytes in without splitting a UTF-8 character. */
function utf8Cut(bytes: Buffer, limit: number): number {
  let cut = limit;
  while (cut > 0 && (bytes[cut] & 0xc0) === 0x80) cut--;
  return cut;
}

/**
 * Cuts the bytes of a file into lines at LF, dropping a CR before it, and decodes each line as
 * UTF-8 on its own (an LF byte never occurs inside a multi-byte character). A line longer than
 * `maxLineBytes` is cut there; the rest of it is skipped without being held in memory.
 */
export class LineSplitter {
  /** The start of the unfinished line: at most `maxLineBytes + 1` bytes of it. */
  private parts: Buffer[] = [];
  private kept = 0;
  /** Full length of the unfinished line so far. */
  private length = 0;
  private lastByte = -1;
  /** File offset where the unfinished line began. */
  private lineStart = 0;

  constructor(private readonly maxLineBytes: number) {}

  /** Bytes of an unfinished line held back. */
  get pendingBytes(): number {
    return this.length;
  }

  /** Splits `chunk`, which was read at file offset `position`. */
  push(chunk: Buffer, position: number): SplitLine[] {
    const lines: SplitLine[] = [];
    let start = 0;
    for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, start)) {
      if (this.length === 0) this.lineStart = position + start;
      this.append(chunk.subarray(start, lf));
      lines.push(this.take(position + lf + 1));
      start = lf + 1;
    }
    // The read buffer is reused: keep a copy of the unfinished line.
    if (start < chunk.length) {
      if (this.length === 0) this.lineStart = position + start;
      this.append(Buffer.from(chunk.subarray(start)));
    }
    return lines;
  }

  /** The unfinished line as it is (its writer paused, or its file is gone); `end` is its offset. */
  flush(end: number): SplitLine | undefined {
    return this.length > 0 ? this.take(end) : undefined;
  }

  private append(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.length += bytes.length;
    this.lastByte = bytes[bytes.length - 1];
    // One byte past the limit tells a line that is too long from one that just ends with CR.
    const room = this.maxLineBytes + 1 - this.kept;
    if (room <= 0) return;
    const part = bytes.length > room ? bytes.subarray(0, room) : bytes;
    this.parts.push(part);
    this.kept += part.length;
  }

  private take(end: number): SplitLine {
    const bytes = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.kept);
    const length = this.lastByte === CR ? this.length - 1 : this.length;
    const line: SplitLine =
      length > this.maxLineBytes
        ? {
            text: bytes.toString('utf8', 0, utf8Cut(bytes, this.maxLineBytes)),
            start: this.lineStart,
            end,
            truncatedFrom: length,
          }
        : { text: bytes.toString('utf8', 0, length), start: this.lineStart, end };
    this.parts = [];
    this.kept = 0;
    this.length = 0;
    this.lastByte = -1;
    return line;
  }
}
