import { LineSplitter } from './line-splitter';

const split = (chunks: (string | Buffer)[], maxLength = 100) => {
  const splitter = new LineSplitter(maxLength);
  const lines = chunks.flatMap((chunk) =>
    splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk),
  );
  return [...lines, ...splitter.end()];
};

describe('LineSplitter', () => {
  it('splits on LF and CRLF across chunks, skipping blank lines and a BOM', () => {
    expect(split(['\uFEFFone\r', '\ntw', 'o\n\n  \r\nthree\r\n', 'four'])).toEqual([
      { text: 'one' },
      { text: 'two' },
      { text: 'three' },
      { text: 'four' },
    ]);
  });

  it('keeps multi-byte characters cut between chunks', () => {
    const bytes = Buffer.from('héllo wörld\n');
    expect(split([bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9)])).toEqual([
      { text: 'héllo wörld' },
    ]);
  });

  it('cuts over-long lines as they arrive and reports their full length', () => {
    expect(split(['x'.repeat(8), 'y'.repeat(8), '\r\nshort\n', 'z'.repeat(11)], 10)).toEqual([
      { text: 'xxxxxxxxyy', truncatedFrom: 16 },
      { text: 'short' },
      { text: 'zzzzzzzzzz', truncatedFrom: 11 },
    ]);
    expect(split(['a'.repeat(10) + '\r\n'], 10)).toEqual([{ text: 'a'.repeat(10) }]);
  });
});
