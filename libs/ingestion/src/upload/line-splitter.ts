import { StringDecoder } from 'node:string_decoder';

export interface SplitLine {
  text: string;
  /** Set when the line was longer than the limit and cut: its length before. */
  truncatedFrom?: number;
}

/**
 * Cuts a byte stream (UTF-8) into lines on LF or CRLF, skipping blank lines and a leading BOM.
 * A line longer than `maxLength` is cut as it arrives, so a file without newlines cannot fill
 * the memory; its full length is reported.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  /** Length of the current line so far, counting what was cut. */
  private partialLength = 0;
  private endsWithCr = false;
  private first = true;

  constructor(private readonly maxLength: number) {}

  /** The lines completed by this chunk. */
  push(chunk: Buffer): SplitLine[] {
    return this.split(this.decoder.write(chunk));
  }

  /** The last line, if the data did not end with a newline. */
  end(): SplitLine[] {
    const lines = this.split(this.decoder.end());
    const last = this.takeLine();
    if (last) lines.push(last);
    return lines;
  }

  private split(text: string): SplitLine[] {
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const lines: SplitLine[] = [];
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      if (newline === -1) break;
      this.append(text, start, newline);
      const line = this.takeLine();
      if (line) lines.push(line);
      start = newline + 1;
    }
    this.append(text, start, text.length);
    return lines;
  }

  private append(text: string, start: number, end: number): void {
    if (end <= start) return;
    const room = this.maxLength + 1 - this.partial.length; // one more, for a CR before the LF
    if (room > 0) this.partial += text.slice(start, Math.min(end, start + room));
    this.partialLength += end - start;
    this.endsWithCr = text.charCodeAt(end - 1) === 13;
  }

  private takeLine(): SplitLine | undefined {
    let text = this.partial;
    let length = this.partialLength;
    if (this.endsWithCr) {
      length--;
      if (text.length > length) text = text.slice(0, length);
    }
    this.partial = '';
    this.partialLength = 0;
    this.endsWithCr = false;
    if (text.trim() === '') return undefined;
    if (length <= this.maxLength) return { text };
    return { text: text.slice(0, this.maxLength), truncatedFrom: length };
  }
}
