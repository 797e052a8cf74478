import { LineSplitter, type SplitLine } from './line-splitter';

/** Feeds `text` in chunks of `chunkBytes`, as reads of a file would. */
function split(text: string | Buffer, chunkBytes: number, maxLineBytes = 1024): SplitLine[] {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const splitter = new LineSplitter(maxLineBytes);
  const lines: SplitLine[] = [];
  for (let at = 0; at < bytes.length; at += chunkBytes) {
    lines.push(...splitter.push(bytes.subarray(at, at + chunkBytes), at));
  }
  return lines;
}

describe('LineSplitter', () => {
  it.each([1, 2, 3, 64])('splits on LF, drops CR, gives end offsets (chunks of %i)', (chunk) => {
    expect(split('one\r\ntwo\n\nthree\n', chunk)).toEqual([
      { text: 'one', start: 0, end: 5 },
      { text: 'two', start: 5, end: 9 },
      { text: '', start: 9, end: 10 },
      { text: 'three', start: 10, end: 16 },
    ]);
  });

  it('decodes UTF-8 characters split across chunks', () => {
    expect(split('héllo wörld ✓\n', 1).map((line) => line.text)).toEqual(['héllo wörld ✓']);
  });

  it('holds an unfinished line until its LF, or hands it over on flush', () => {
    const splitter = new LineSplitter(1024);
    expect(splitter.push(Buffer.from('done\npart'), 0)).toEqual([
      { text: 'done', start: 0, end: 5 },
    ]);
    expect(splitter.pendingBytes).toBe(4);
    expect(splitter.flush(9)).toEqual({ text: 'part', start: 5, end: 9 });
    expect(splitter.pendingBytes).toBe(0);
    expect(splitter.flush(9)).toBeUndefined();
  });

  it('cuts long lines at maxLineBytes, on a character boundary, and says how long they were', () => {
    const text = `${'x'.repeat(25)}\nshort\n${'a' + 'é'.repeat(7)}\r\n${'y'.repeat(10)}\r\n`;
    for (const chunk of [1, 4, 100]) {
      expect(split(text, chunk, 10)).toEqual([
        { text: 'x'.repeat(10), start: 0, end: 26, truncatedFrom: 25 },
        { text: 'short', start: 26, end: 32 },
        { text: 'a' + 'é'.repeat(4), start: 32, end: 49, truncatedFrom: 15 },
        { text: 'y'.repeat(10), start: 49, end: 61 },
      ]);
    }
  });
});
