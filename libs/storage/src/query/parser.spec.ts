import { parseQuery, QuerySyntaxError, type QueryNode } from '.';

const word = (...tokens: string[]): QueryNode => ({ type: 'word', tokens, prefix: false });
const prefix = (...tokens: string[]): QueryNode => ({ type: 'word', tokens, prefix: true });
const phrase = (...tokens: string[]): QueryNode => ({ type: 'phrase', tokens });
const substring = (pattern: string): QueryNode => ({ type: 'substring', pattern });
const and = (...children: QueryNode[]): QueryNode => ({ type: 'and', children });
const or = (...children: QueryNode[]): QueryNode => ({ type: 'or', children });
const not = (child: QueryNode): QueryNode => ({ type: 'not', child });
const levels = (...list: number[]): QueryNode => ({ type: 'level', levels: list });
const host = { kind: 'text', column: 'host' } as const;
const status = { kind: 'number', column: 'status_code' } as const;
const latency = { kind: 'number', column: 'latency_ms' } as const;
const json = (key: string) => ({ kind: 'json', key }) as const;
const bound = (value: number, inclusive = true) => ({ value, inclusive });

function syntaxError(query: string): QuerySyntaxError {
  try {
    parseQuery(query);
  } catch (error) {
    if (error instanceof QuerySyntaxError) return error;
    throw error;
  }
  throw new Error(`no error for ${query}`);
}

describe('parseQuery', () => {
  it('returns null for an empty query', () => {
    expect(parseQuery('')).toBeNull();
    expect(parseQuery('  \t ')).toBeNull();
  });

  describe('full text', () => {
    it.each<[string, QueryNode]>([
      ['timeout', word('timeout')],
      ['TimeOut', word('timeout')],
      // Punctuation splits words as log_tsv() does: a word of several tokens is a sequence.
      ['Mozilla/5.0', word('mozilla', '5', '0')],
      ['orders/42', word('orders', '42')],
      ['1e5abc', word('1e5', 'abc')],
      ['İstanbul', word('istanbul')],
      ['"Connection  refused"', phrase('connection', 'refused')],
      ['"error"', phrase('error')],
      ['time*', prefix('time')],
      ['api/ord*', prefix('api', 'ord')],
      // Other wildcards search characters anywhere in the message, case-insensitively.
      ['*fail?d*', substring('%fail_d%')],
      ['ti*out', substring('%ti%out%')],
      ['orders/*', substring('%orders/%')],
      ['*%_*', substring('%\\%\\_%')],
      // Nothing to look up in the text index: a substring search.
      ['"=>"', substring('%=>%')],
      ['-', substring('%-%')],
      // Escapes make characters literal.
      ['time\\*', word('time')],
      ['\\"quoted\\"', word('quoted')],
      ['"say \\"hi\\""', phrase('say', 'hi')],
      ['12:30:45', word('12', '30', '45')],
      ['c\\:\\\\path', word('c', 'path')],
    ])('%s', (query, expected) => {
      expect(parseQuery(query)).toEqual(expected);
    });

    it('reads message: terms as free terms', () => {
      expect(parseQuery('message:Timeout')).toEqual(word('timeout'));
      expect(parseQuery('message:"disk full"')).toEqual(phrase('disk', 'full'));
      expect(parseQuery('message:*sub*')).toEqual(substring('%sub%'));
      expect(parseQuery('message:/api/*')).toEqual(substring('%/api/%'));
    });
  });

  describe('fields', () => {
    it.each<[string, QueryNode]>([
      [
        'source:nginx',
        { type: 'equals', field: { kind: 'text', column: 'source' }, value: 'nginx' },
      ],
      ['Host:web1', { type: 'equals', field: host, value: 'web1' }],
      ['host:"web 1"', { type: 'equals', field: host, value: 'web 1' }],
      ['host:"web*"', { type: 'equals', field: host, value: 'web*' }],
      ['host:web\\:1', { type: 'equals', field: host, value: 'web:1' }],
      ['host:>x', { type: 'equals', field: host, value: '>x' }],
      ['host:web-?', { type: 'like', field: host, pattern: 'web-_' }],
      ['host:100%_*', { type: 'like', field: host, pattern: '100\\%\\_%' }],
      ['host:a\\*b*', { type: 'like', field: host, pattern: 'a*b%' }],
      ['host:*', { type: 'exists', field: host }],
      ['host:"*"', { type: 'equals', field: host, value: '*' }],
      ['path:/api/*', { type: 'like', field: { kind: 'text', column: 'path' }, pattern: '/api/%' }],
      ['method:get', { type: 'equals', field: { kind: 'text', column: 'method' }, value: 'get' }],
      ['status:500', { type: 'range', field: status, lower: bound(500), upper: bound(500) }],
      ['status:5e2', { type: 'range', field: status, lower: bound(500), upper: bound(500) }],
      ['status:>=500', { type: 'range', field: status, lower: bound(500), upper: null }],
      ['status:>400', { type: 'range', field: status, lower: bound(400, false), upper: null }],
      ['status:*', { type: 'exists', field: status }],
      ['latency_ms:<100', { type: 'range', field: latency, lower: null, upper: bound(100, false) }],
      ['latency_ms:<=-1.5', { type: 'range', field: latency, lower: null, upper: bound(-1.5) }],
      [
        'latency_ms:[100 TO 500]',
        { type: 'range', field: latency, lower: bound(100), upper: bound(500) },
      ],
      [
        'latency_ms:{100 TO 500}',
        { type: 'range', field: latency, lower: bound(100, false), upper: bound(500, false) },
      ],
      [
        'latency_ms:[ 100  TO * }',
        { type: 'range', field: latency, lower: bound(100), upper: null },
      ],
      ['latency_ms:[* TO *]', { type: 'range', field: latency, lower: null, upper: null }],
      ['fields.user:ann', { type: 'equals', field: json('user'), value: 'ann' }],
      ['fields.trace.id:a.b', { type: 'equals', field: json('trace.id'), value: 'a.b' }],
      ['Fields.User:x*', { type: 'like', field: json('User'), pattern: 'x%' }],
      ['fields.n:>=1.5', { type: 'range', field: json('n'), lower: bound(1.5), upper: null }],
      ['fields.n:"[1]"', { type: 'equals', field: json('n'), value: '[1]' }],
      ['fields.n:*', { type: 'exists', field: json('n') }],
    ])('%s', (query, expected) => {
      expect(parseQuery(query)).toEqual(expected);
    });
  });

  describe('levels (a greater level is a more severe one)', () => {
    it.each<[string, number[]]>([
      ['level:error', [3]],
      ['level:ERR', [3]],
      ['level:warn', [4]],
      ['level:warning', [4]],
      ['level:crit', [2]],
      ['level:fatal', [2]],
      ['level:emerg', [0]],
      ['level:trace', [7]],
      ['level:4', [4]],
      ['level:>=warning', [0, 1, 2, 3, 4]],
      ['level:>=4', [0, 1, 2, 3, 4]],
      ['level:>warning', [0, 1, 2, 3]],
      ['level:<=info', [6, 7]],
      ['level:<error', [4, 5, 6, 7]],
      ['level:[warning TO error]', [3, 4]],
      ['level:[error TO warning]', [3, 4]],
      ['level:[0 TO 3]', [0, 1, 2, 3]],
      ['level:{warning TO error]', [3]],
      ['level:[* TO warning]', [4, 5, 6, 7]],
      ['level:[notice TO *]', [0, 1, 2, 3, 4, 5]],
      ['level:warn*', [4]],
      ['level:E*', [0, 3]],
      ['level:*', [0, 1, 2, 3, 4, 5, 6, 7]],
      ['level:x*', []],
    ])('%s', (query, expected) => {
      expect(parseQuery(query)).toEqual(levels(...expected));
    });
  });

  describe('operators', () => {
    const [a, b, c] = [word('a'), word('b'), word('c')];

    it.each<[string, QueryNode]>([
      ['a b', and(a, b)],
      ['a AND b', and(a, b)],
      ['a OR b', or(a, b)],
      ['NOT a', not(a)],
      ['-a', not(a)],
      ['--a', not(not(a))],
      ['a and b', and(a, word('and'), b)],
      // NOT binds tighter than AND, AND tighter than OR.
      ['a OR b c', or(a, and(b, c))],
      ['a OR b AND c', or(a, and(b, c))],
      ['NOT a b', and(not(a), b)],
      ['a OR NOT b AND c', or(a, and(not(b), c))],
      ['(a OR b) c', and(or(a, b), c)],
      ['-(a OR b)', not(or(a, b))],
      ['NOT(a)', not(a)],
      ['a AND (b AND c)', and(a, b, c)],
      ['((a))', a],
      ['-host:web1', not({ type: 'equals', field: host, value: 'web1' })],
      [
        'host:(web1 OR -web2)',
        or(
          { type: 'equals', field: host, value: 'web1' },
          not({ type: 'equals', field: host, value: 'web2' }),
        ),
      ],
      [
        'status:(>=500 OR 404)',
        or(
          { type: 'range', field: status, lower: bound(500), upper: null },
          { type: 'range', field: status, lower: bound(404), upper: bound(404) },
        ),
      ],
      ['level:(error OR crit)', or(levels(3), levels(2))],
      ['host:(a level:debug)', and({ type: 'equals', field: host, value: 'a' }, levels(7))],
      ['host:AND', { type: 'equals', field: host, value: 'AND' }],
      ['"AND"', phrase('and')],
    ])('%s', (query, expected) => {
      expect(parseQuery(query)).toEqual(expected);
    });
  });

  describe('errors', () => {
    it('says where and what was expected', () => {
      const error = syntaxError('(a OR b');
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('QuerySyntaxError');
      expect(error.message).toBe('at position 7: expected ")" but found end of query');
      expect(error.position).toBe(7);
      expect(error.expected).toBe('")"');
    });

    const fieldNames =
      'a field name (level, source, host, status, method, path, latency_ms, message or fields.<name>)';
    const levelNames =
      'a level name (emergency, alert, critical, error, warning, notice, info, debug) or a number 0–7';

    it.each<[string, number, string, string]>([
      ['status:', 7, 'a value after "status:"', 'end of query'],
      ['host: web1', 5, 'a value after "host:"', 'a space'],
      ['(host:)', 6, 'a value after "host:"', '")"'],
      ['latency_ms:abc', 11, 'a number for latency_ms', '"abc"'],
      ['latency_ms:1e999', 11, 'a number for latency_ms', '"1e999"'],
      ['status:500.5', 7, 'an integer for status', '"500.5"'],
      ['status:5*', 7, 'an integer for status', '"5*"'],
      ['status:>=', 9, 'an integer for status', 'end of query'],
      ['fields.n:>y', 10, 'a number for fields.n', '"y"'],
      ['level:loud', 6, levelNames, '"loud"'],
      ['level:>=8', 8, levelNames, '"8"'],
      ['foo:bar', 0, fieldNames, '"foo"'],
      ['a http://x', 2, fieldNames, '"http"'],
      ['fields.:x', 0, fieldNames, '"fields."'],
      ['a AND', 5, 'a term after "AND"', 'end of query'],
      ['a AND OR b', 6, 'a term after "AND"', '"OR"'],
      ['a OR', 4, 'a term after "OR"', 'end of query'],
      ['NOT', 3, 'a term after "NOT"', 'end of query'],
      ['(NOT)', 4, 'a term after "NOT"', '")"'],
      ['-(', 2, 'a term', 'end of query'],
      ['OR a', 0, 'a term', '"OR"'],
      ['()', 1, 'a term', '")"'],
      ['a )', 2, 'end of query', '")"'],
      ['host:(a', 7, '")"', 'end of query'],
      ['"abc', 4, 'a closing quote (")', 'end of query'],
      ['abc\\', 4, 'a character after "\\"', 'end of query'],
      ['latency_ms:[1 5]', 14, '"TO"', '"5]"'],
      ['latency_ms:[1 TO]', 16, 'a number for latency_ms or "*"', '"]"'],
      ['latency_ms:[1 TO 5', 18, '"]" or "}"', 'end of query'],
      ['latency_ms:[x TO 5]', 12, 'a number for latency_ms', '"x"'],
    ])('%s', (query, position, expected, found) => {
      expect(syntaxError(query)).toMatchObject({ position, expected, found });
    });

    it('limits the length, the number of terms and the nesting', () => {
      expect(syntaxError('a '.repeat(1001))).toMatchObject({
        position: 2000,
        expected: 'a query of at most 2000 characters',
        found: '2002 characters',
      });
      expect(parseQuery(Array(100).fill('a').join(' '))).not.toBeNull();
      expect(syntaxError(Array(101).fill('a').join(' '))).toMatchObject({
        position: 200,
        expected: 'at most 100 terms',
      });
      expect(syntaxError(`a ${'latency_ms:<1 '.repeat(100)}`).position).toBe(2 + 99 * 14);
      expect(parseQuery(`${'('.repeat(20)}a${')'.repeat(20)}`)).toEqual(word('a'));
      expect(syntaxError(`${'('.repeat(21)}a${')'.repeat(21)}`)).toMatchObject({
        position: 20,
        expected: 'at most 20 levels of nesting',
      });
      expect(syntaxError(`${'NOT '.repeat(21)}a`).position).toBe(80);
      expect(syntaxError(`(${'-'.repeat(20)}a)`).position).toBe(20);
    });
  });
});
