import { pathOfTarget, readAccessLine, readRequestLine } from './access-log';

describe('access line reader', () => {
  it('splits a combined line into its parts', () => {
    expect(
      readAccessLine(
        '1.2.3.4 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326 "http://x/" "UA 1.0"',
      ),
    ).toEqual({
      remote: '1.2.3.4',
      ident: '-',
      user: 'frank',
      time: '10/Oct/2000:13:55:36 -0700',
      request: 'GET /a.gif HTTP/1.0',
      status: '200',
      bytes: '2326',
      referrer: 'http://x/',
      userAgent: 'UA 1.0',
      tail: '',
    });
  });

  it('keeps the remote part whole (vhost, lists) and what follows the user agent', () => {
    const parts = readAccessLine(
      'example.com 10.0.0.2, 10.0.0.1 - - [07/Dec/2016:11:05:07 +0100] "GET / HTTP/1.1" 200 5 "-" "a" 0.1',
    );
    expect(parts).toMatchObject({ remote: 'example.com 10.0.0.2, 10.0.0.1', tail: ' 0.1' });
  });

  it('reads escaped quotes inside quoted fields and Common lines without referrer', () => {
    const parts = readAccessLine('h - - [t] "GET /\\"x\\" HTTP/1.1" 404 - "r\\"" "ua"');
    expect(parts).toMatchObject({ request: 'GET /\\"x\\" HTTP/1.1', bytes: '-', referrer: 'r\\"' });
    expect(readAccessLine('h - - [t] "-" 408 -')).toMatchObject({
      request: '-',
      referrer: undefined,
      tail: '',
    });
  });

  it.each([
    'plain text line',
    'h - - [t] "GET / HTTP/1.1" 2000 5',
    'h - - [t] "GET / HTTP/1.1" 200 5x',
    'h - [t] "GET / HTTP/1.1" 200 5',
  ])('rejects %p', (line) => {
    expect(readAccessLine(line)).toBeUndefined();
  });

  // Backtracking is bounded by the two tokens before `[`: a quadratic pattern would hang here.
  it('declines a long line that almost matches', () => {
    expect(readAccessLine(`${'a '.repeat(50_000)}[${'x'.repeat(50_000)}`)).toBeUndefined();
    expect(readAccessLine(`h - - [t] "${'\\"'.repeat(50_000)}`)).toBeUndefined();
  });
});

describe('request line', () => {
  it('reads method, target and version', () => {
    expect(readRequestLine('GET /a?b HTTP/1.1')).toEqual({
      method: 'GET',
      target: '/a?b',
      version: '1.1',
    });
    expect(readRequestLine('GET /')).toEqual({ method: 'GET', target: '/' });
    expect(readRequestLine('-')).toBeUndefined();
    expect(readRequestLine('')).toBeUndefined();
  });

  it('takes the path and query of an absolute target', () => {
    expect(pathOfTarget('/a?b')).toBe('/a?b');
    expect(pathOfTarget('http://example.com/a?b')).toBe('/a?b');
    expect(pathOfTarget('http://example.com')).toBe('/');
    expect(pathOfTarget('example.com:443')).toBe('example.com:443');
  });
});
