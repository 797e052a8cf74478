/** One syslog message cut out of a TCP stream. */
export interface DecodedFrame {
  text: string;
  /** Set when the message was cut to `maxMessageBytes`: its length in bytes as sent. */
  truncatedFrom?: number;
}

export interface SyslogFrameDecoderOptions {
  /** Longest message kept, in bytes; the rest of a longer one is skipped. */
  maxMessageBytes: number;
}

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const SPACE = 0x20;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** `^[1-9]\d{0,8} `: at most 999,999,999 bytes, and the prefix never buffers more than 9 digits. */
const MAX_LENGTH_DIGITS = 9;
/** A pending-bytes buffer larger than this is released after its frame instead of reused. */
const KEEP_BUFFER_BYTES = 16 * 1024;
const EMPTY = Buffer.alloc(0);

type Mode = 'detect' | 'octet' | 'newline';

/**
 * RFC 6587 framing of one TCP connection. The first bytes decide: `LEN SP MSG` (octet counting,
 * MSG may hold newlines) when the stream starts like `^[1-9]\d{0,8} `, otherwise one message per
 * line (LF, an optional CR before it, or NUL). A length prefix that turns out invalid later makes
 * the rest of the connection newline-delimited, without losing the bytes already read.
 *
 * Bytes are decoded as UTF-8 only at frame boundaries, so a character split across chunks stays
 * whole; invalid UTF-8 becomes U+FFFD. Memory stays under `maxMessageBytes` plus a few bytes per
 * connection: a longer message is cut and the rest skipped as it arrives.
 */
export class SyslogFrameDecoder {
  private readonly max: number;
  private mode: Mode = 'detect';
  /** Digits of a length prefix being read (detect and octet modes). */
  private lengthDigits = '';
  /** Octet mode: bytes of the current frame still to come (0 between frames). */
  private bodyRemaining = 0;
  private declaredLength = 0;
  /** Newline mode: bytes of the current line so far, kept or skipped. */
  private lineBytes = 0;
  private lineEndsWithCr = false;
  /** The kept bytes of a frame that spans chunks, at most `max`. */
  private pending: Buffer = EMPTY;
  private pendingLength = 0;

  constructor(options: SyslogFrameDecoderOptions) {
    if (!Number.isInteger(options.maxMessageBytes) || options.maxMessageBytes < 1) {
      throw new RangeError(`maxMessageBytes must be a positive integer`);
    }
    this.max = options.maxMessageBytes;
  }

  /** Bytes held for incomplete frames (for metrics and tests). */
  get bufferedBytes(): number {
    return this.pending.length + this.lengthDigits.length;
  }

  push(chunk: Buffer): DecodedFrame[] {
    const frames: DecodedFrame[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.mode === 'newline') {
        this.pushLines(chunk, i, frames);
        break;
      }
      if (this.bodyRemaining > 0) {
        i = this.pushBody(chunk, i, frames);
        continue;
      }
      const byte = chunk[i];
      const digits = this.lengthDigits.length;
      if (byte >= DIGIT_0 && byte <= DIGIT_9 && (digits > 0 || byte !== DIGIT_0)) {
        if (digits < MAX_LENGTH_DIGITS) {
          this.lengthDigits += String.fromCharCode(byte);
          i++;
          continue;
        }
      } else if (byte === SPACE && digits > 0) {
        this.mode = 'octet';
        this.declaredLength = this.bodyRemaining = Number(this.lengthDigits);
        this.lengthDigits = '';
        i++;
        continue;
      } else if (this.mode === 'octet' && digits === 0 && isLineEnd(byte)) {
        // Some senders end octet-counted frames with a newline anyway: skip it.
        i++;
        continue;
      }
      // Not a length prefix: the rest of the connection is line-delimited. The digits read so far
      // are the start of the first line.
      this.mode = 'newline';
      const digitsRead = this.lengthDigits;
      this.lengthDigits = '';
      if (digitsRead) this.pushLines(Buffer.from(digitsRead, 'latin1'), 0, frames);
    }
    return frames;
  }

  /** The connection closed: returns what is left as a last frame, and starts over. */
  end(): DecodedFrame[] {
    const frames: DecodedFrame[] = [];
    if (this.bodyRemaining > 0) {
      // Closed in the middle of a frame: keep what came, flagged with the announced length.
      const frame = this.takeFrame(true);
      if (frame) frames.push({ ...frame, truncatedFrom: this.declaredLength });
    } else if (this.lengthDigits) {
      frames.push({ text: this.lengthDigits });
    } else if (this.lineBytes > 0) {
      this.endLine(frames);
    }
    this.mode = 'detect';
    this.lengthDigits = '';
    this.bodyRemaining = this.declaredLength = this.lineBytes = this.pendingLength = 0;
    this.lineEndsWithCr = false;
    this.pending = EMPTY;
    return frames;
  }

  /** Octet mode: takes body bytes from `i`; returns where the next frame starts. */
  private pushBody(chunk: Buffer, i: number, frames: DecodedFrame[]): number {
    const take = Math.min(this.bodyRemaining, chunk.length - i);
    this.bodyRemaining -= take;
    const truncated = this.declaredLength > this.max;
    if (this.bodyRemaining === 0 && this.pendingLength === 0 && !truncated) {
      // The whole frame is in this chunk: decode it in place.
      const text = frameText(chunk, i, i + take, false, true);
      if (text) frames.push({ text });
      return i + take;
    }
    this.keep(chunk, i, i + take);
    if (this.bodyRemaining === 0) {
      const frame = this.takeFrame(truncated);
      if (frame) frames.push(truncated ? { ...frame, truncatedFrom: this.declaredLength } : frame);
    }
    return i + take;
  }

  /** Newline mode: consumes the chunk from `start`. */
  private pushLines(chunk: Buffer, start: number, frames: DecodedFrame[]): void {
    let i = start;
    // Next LF and NUL positions, searched again only once passed (-1: none left in the chunk).
    let lf = -2;
    let nul = -2;
    while (i < chunk.length) {
      if (lf !== -1 && lf < i) lf = chunk.indexOf(LF, i);
      if (nul !== -1 && nul < i) nul = chunk.indexOf(NUL, i);
      const end = lf === -1 ? nul : nul === -1 ? lf : Math.min(lf, nul);
      if (end === -1) {
        this.addToLine(chunk, i, chunk.length);
        return;
      }
      if (this.lineBytes === 0 && end - i <= this.max) {
        // The whole line is in this chunk: decode it in place.
        const stop = end > i && chunk[end - 1] === CR ? end - 1 : end;
        const text = frameText(chunk, i, stop, false, false);
        if (text) frames.push({ text });
      } else {
        this.addToLine(chunk, i, end);
        this.endLine(frames);
      }
      i = end + 1;
    }
  }

  private addToLine(chunk: Buffer, start: number, end: number): void {
    if (end <= start) return;
    this.lineBytes += end - start;
    this.lineEndsWithCr = chunk[end - 1] === CR;
    this.keep(chunk, start, end);
  }

  private endLine(frames: DecodedFrame[]): void {
    const length = this.lineBytes - (this.lineEndsWithCr ? 1 : 0);
    const truncated = length > this.max;
    this.pendingLength = Math.min(this.pendingLength, length);
    this.lineBytes = 0;
    this.lineEndsWithCr = false;
    const frame = this.takeFrame(truncated);
    if (frame) frames.push(truncated ? { ...frame, truncatedFrom: length } : frame);
  }

  /** Copies bytes of the current frame, up to `max` in all; the rest is skipped. */
  private keep(chunk: Buffer, start: number, end: number): void {
    const count = Math.min(end - start, this.max - this.pendingLength);
    if (count <= 0) return;
    const needed = this.pendingLength + count;
    if (needed > this.pending.length) {
      const grown = Buffer.allocUnsafe(
        Math.min(this.max, Math.max(needed, this.pending.length * 2, 256)),
      );
      this.pending.copy(grown, 0, 0, this.pendingLength);
      this.pending = grown;
    }
    chunk.copy(this.pending, this.pendingLength, start, start + count);
    this.pendingLength = needed;
  }

  /** Decodes the kept bytes of the finished frame and clears them. */
  private takeFrame(truncated: boolean): DecodedFrame | undefined {
    // A line's CR is already left out (endLine); an octet frame's line end is not.
    const octet = this.mode !== 'newline';
    const text = frameText(this.pending, 0, this.pendingLength, truncated, octet);
    this.pendingLength = 0;
    if (this.pending.length > KEEP_BUFFER_BYTES) this.pending = EMPTY;
    return text ? { text } : undefined;
  }
}

function isLineEnd(byte: number): boolean {
  return byte === LF || byte === CR || byte === NUL;
}

/**
 * The text of a frame's bytes. An octet-counted frame loses a trailing LF or CRLF (Heroku counts
 * it in the length). A cut frame ends before a split UTF-8 character rather than with a
 * replacement character.
 */
function frameText(
  bytes: Buffer,
  start: number,
  end: number,
  truncated: boolean,
  trimLineEnd: boolean,
): string {
  let stop = end;
  if (truncated) {
    stop = utf8Boundary(bytes, start, stop);
  } else if (trimLineEnd && stop > start && bytes[stop - 1] === LF) {
    stop--;
    if (stop > start && bytes[stop - 1] === CR) stop--;
  }
  return bytes.toString('utf8', start, stop);
}

/** The largest position ≤ `end` that does not split a UTF-8 sequence. */
function utf8Boundary(bytes: Buffer, start: number, end: number): number {
  for (let back = 1; back <= 4 && end - back >= start; back++) {
    const byte = bytes[end - back];
    if ((byte & 0xc0) !== 0x80) {
      // A lead (or ASCII) byte: does its sequence fit before `end`?
      const size = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
      return size > back ? end - back : end;
    }
  }
  return end;
}
