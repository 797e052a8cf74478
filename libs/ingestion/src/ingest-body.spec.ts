import { decodeJson, decodeNdjson, decodePlainText } from './ingest-body';

describe('ingest body decoding', () => {
  it('splits plain text on LF and CRLF and skips blank lines', () => {
    expect(decodePlainText('\uFEFFone\r\ntwo\n\n  \nthree')).toEqual({
      lines: ['one', 'two', 'three'],
      rejected: [],
    });
  });

  it('reports malformed NDJSON lines by number and keeps the good ones', () => {
    const decoded = decodeNdjson('{"a":1}\n{"b":\n\n[1]\n{"c":3}\n');
    expect(decoded.lines).toEqual(['{"a":1}', '{"c":3}']);
    expect(decoded.rejected).toEqual([
      { line: 2, error: expect.stringMatching(/^invalid JSON/) },
      { line: 4, error: 'expected a JSON object' },
    ]);
  });

  it('takes a JSON object, or an array of objects and strings', () => {
    expect(decodeJson({ msg: 'hi' })).toEqual({ lines: ['{"msg":"hi"}'], rejected: [] });
    expect(decodeJson([{ a: 1 }, 'plain line', 7, null])).toEqual({
      lines: ['{"a":1}', 'plain line'],
      rejected: [
        { line: 3, error: 'expected a JSON object or a string' },
        { line: 4, error: 'expected a JSON object or a string' },
      ],
    });
    expect(decodeJson(42).rejected).toHaveLength(1);
  });
});
