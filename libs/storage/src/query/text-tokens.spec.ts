import { jsonbText } from './jsonb-text';
import { likeMatches, likeOccurrences, likeSegments } from './like';
import { hasSequence, indexedLexemes, lexemes, pgLower, textTokens } from './text-tokens';

describe('text tokens (as log_tsv() reads a message)', () => {
  it('splits on every character that is not a letter or a digit', () => {
    expect(lexemes('GET /api/orders/42 HTTP/1.1 "Mozilla/5.0" a_b x²y')).toEqual([
      'get',
      'api',
      'orders',
      '42',
      'http',
      '1',
      '1',
      'mozilla',
      '5',
      '0',
      'a',
      'b',
      'x',
      'y',
    ]);
    expect(textTokens('to /api')).toEqual([
      { lexeme: 'to', start: 0, end: 2 },
      { lexeme: 'api', start: 4, end: 7 },
    ]);
  });

  it('keeps letters of every script and lowers them as PostgreSQL does', () => {
    expect(lexemes('Café İstanbul ΟΔΟΣ 日本語 Ⅻ')).toEqual([
      'café',
      'istanbul',
      'οδοσ',
      '日本語',
      'ⅻ',
    ]);
    expect(pgLower('İSTANBUL ΟΔΟΣ')).toBe('istanbul οδοσ');
  });

  it('splits a leading exponent number from the letters after it, as the simple parser does', () => {
    expect(lexemes('1e5abc 1E5 1e5 12e3x4 a1e5b')).toEqual([
      '1e5',
      'abc',
      '1e5',
      '1e5',
      '12e3',
      'x4',
      'a1e5b',
    ]);
  });

  it('leaves out words longer than 2047 bytes', () => {
    expect(lexemes(`a ${'b'.repeat(2047)} ${'c'.repeat(2048)} ${'é'.repeat(1024)} d`)).toEqual([
      'a',
      'b'.repeat(2047),
      'd',
    ]);
  });

  it('keeps positions as a tsvector does: up to 16383, at most 255 per word', () => {
    const index = indexedLexemes(`${'a b '.repeat(300)}a c ${'x '.repeat(17000)}y z`);
    expect(index.get('a')).toHaveLength(255);
    expect(index.get('c')).toEqual([602]);
    expect(index.get('y')).toEqual([16383]);
    expect(hasSequence(index, ['a', 'b'], false)).toBe(true);
    expect(hasSequence(index, ['a', 'c'], false)).toBe(false);
    expect(hasSequence(index, ['y', 'z'], false)).toBe(false);
    expect(hasSequence(index, ['z'], false)).toBe(true);
  });

  it('finds sequences and prefixes', () => {
    const index = indexedLexemes('GET /api/orders/42 timeout');
    expect(hasSequence(index, ['api', 'orders', '42'], false)).toBe(true);
    expect(hasSequence(index, ['orders', 'api'], false)).toBe(false);
    expect(hasSequence(index, ['42', 'time'], true)).toBe(true);
    expect(hasSequence(index, ['42', 'time'], false)).toBe(false);
  });
});

describe('LIKE', () => {
  const like = (pattern: string, text: string) => likeMatches(likeSegments(pattern), [...text]);

  it('matches whole values with % and _ and escapes', () => {
    expect(like('web-_', 'web-1')).toBe(true);
    expect(like('web-_', 'web-12')).toBe(false);
    expect(like('/api/%', '/api/orders')).toBe(true);
    expect(like('/api/%', '/apix')).toBe(false);
    expect(like('%a%b%a%', 'xxabxa')).toBe(true);
    expect(like('a%a', 'a')).toBe(false);
    expect(like('100\\%', '100%')).toBe(true);
    expect(like('100\\%', '1000')).toBe(false);
    expect(like('a\\_b', 'a_b')).toBe(true);
    expect(like('a\\_b', 'axb')).toBe(false);
    expect(like('a\\\\b', 'a\\b')).toBe(true);
    expect(like('_', '😀')).toBe(true);
    expect(like('%', '')).toBe(true);
    expect(like('', '')).toBe(true);
  });

  it('stays linear on patterns that make regular expressions backtrack', () => {
    const text = [...'a'.repeat(20_000)];
    expect(likeMatches(likeSegments(`${'%a'.repeat(200)}%b%`), text)).toBe(false);
  });

  it('finds the occurrences of a %…% pattern', () => {
    expect(likeOccurrences(likeSegments('%ab%'), [...'ab xab abab'])).toEqual([
      [0, 2],
      [4, 6],
      [7, 9],
      [9, 11],
    ]);
    expect(likeOccurrences(likeSegments('%a%c%'), [...'abc ac'])).toEqual([
      [0, 3],
      [4, 6],
    ]);
    expect(likeOccurrences(likeSegments('%%'), [...'abc'])).toEqual([]);
  });
});

describe('jsonbText (as fields->> gives it)', () => {
  it.each<[unknown, string | null]>([
    ['text', 'text'],
    [12, '12'],
    [-2.5, '-2.5'],
    [1e21, '1000000000000000000000'],
    [-1.5e-7, '-0.00000015'],
    [true, 'true'],
    [null, null],
    [undefined, null],
    [[1, 'a', null, { b: 2 }], '[1, "a", null, {"b": 2}]'],
    [{ bb: 1, a: 'x"y', c: [], é: {} }, '{"a": "x\\"y", "c": [], "bb": 1, "é": {}}'],
  ])('%j', (value, text) => {
    expect(jsonbText(value)).toBe(text);
  });
});
