import fc from 'fast-check';
import { compileQueryMatcher, compileQueryToSql, parseQuery, QuerySyntaxError } from '.';

/**
 * The only words compiled SQL may hold: keywords, functions, columns and casts of the compiler.
 * Anything else would be query text that reached the SQL string.
 */
const SQL_WORDS = new Set(
  [
    'and',
    'or',
    'not',
    'coalesce',
    'false',
    'true',
    'log_tsv',
    'to_tsquery',
    'phraseto_tsquery',
    'message',
    'ilike',
    'like',
    'lower',
    'level',
    'any',
    'smallint',
    'bigint',
    'numeric',
    'is',
    'null',
    'fields',
    'source',
    'host',
    'path',
    'method',
    'status_code',
    'latency_ms',
    'case',
    'when',
    'then',
    'end',
    'jsonb_typeof',
    // The ASCII prefilter of full-text words (compile-sql.ts).
    'collate',
    'ucs_basic',
    'octet_length',
    'char_length',
  ].map((word) => word.toLowerCase()),
);
const SQL_LITERALS = new Set(["'simple'", "'number'"]);

/**
 * Compiles with numbered placeholders and lists what in the SQL is not the compiler's own: any
 * word, literal or punctuation that could only have come from the query text. (Plain checks, not
 * `expect`, inside: this runs thousands of times.)
 */
function compileChecked(node: NonNullable<ReturnType<typeof parseQuery>>): {
  sql: string;
  params: unknown[];
  problems: string[];
} {
  const params: unknown[] = [];
  const sql = compileQueryToSql(node, (value) => `$${params.push(value)}`);
  const problems: string[] = [];
  for (const literal of sql.match(/'[^']*'/g) ?? []) {
    if (!SQL_LITERALS.has(literal)) problems.push(`literal ${literal}`);
  }
  const bare = sql.replace(/'[^']*'/g, ' ').replace(/\$\d+/g, ' ');
  if (/;|--|\/\*|\\|"|`|\$/.test(bare)) problems.push('comment, quote or statement separator');
  // What is left is words, numbers of casts and SQL punctuation only.
  if (!/^[\w\s().,:[\]<>=!@*-]*$/.test(bare)) problems.push('unexpected character');
  for (const word of bare.match(/[A-Za-z_]\w*/g) ?? []) {
    if (!SQL_WORDS.has(word.toLowerCase())) problems.push(`word ${word}`);
  }
  const placeholders = new Set((sql.match(/\$\d+/g) ?? []).map((p) => Number(p.slice(1))));
  if (placeholders.size !== params.length || params.some((_, i) => !placeholders.has(i + 1))) {
    problems.push('placeholders and parameters differ');
  }
  return { sql, params, problems: problems.map((problem) => `${problem} in: ${sql}`) };
}

// ---- generators ----

/** Any code point but lone surrogates, controls included: fast-check's 'binary' unit, much faster. */
const anyCodePoint = fc
  .oneof(
    fc.integer({ min: 0, max: 0x7f }),
    fc.integer({ min: 0x80, max: 0xd7ff }),
    fc.integer({ min: 0xe000, max: 0x10ffff }),
  )
  .map((code) => String.fromCodePoint(code));

/** A marker that must never show up in the SQL text, only among the parameters. */
const canary = fc.stringMatching(/^zq[a-z0-9]{3,8}$/);
/** Text from every corner of Unicode, control characters and SQL punctuation included. */
const hostile = fc.oneof(
  fc.string({ maxLength: 20, unit: anyCodePoint }),
  fc.constantFrom(
    "'",
    "''",
    "'; DROP TABLE logs; --",
    '$1',
    '$$',
    '\\',
    '/*',
    '--',
    ';',
    '"',
    "E'\\x27'",
    '\u0000',
    'OR 1=1',
    ')',
  ),
);
const quoted = (text: string) => `"${text.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
const field = fc.oneof(
  fc.constantFrom('level', 'source', 'host', 'path', 'method', 'status', 'latency_ms', 'message'),
  canary.map((name) => `fields.${name}`),
  fc.stringMatching(/^[\w.'$;-]{1,12}$/).map((name) => `fields.${name}`),
);
const number = fc.oneof(
  fc.integer({ min: -1000, max: 100_000 }).map(String),
  fc.constantFrom('1e999', '-0', '0.5', '1e-7', 'NaN', '*'),
);
const value = fc.oneof(
  canary,
  canary.map((text) => `${text}*`),
  canary.map((text) => `*${text}?`),
  hostile.map(quoted),
  canary.map(quoted),
  fc.constantFrom('error', 'warn*', '>=warning', '200', '*'),
);
const term = fc.oneof(
  canary,
  canary.map((text) => `${text}*`),
  hostile.map(quoted),
  fc.tuple(field, value).map(([name, text]) => `${name}:${text}`),
  fc
    .tuple(field, fc.constantFrom('>', '>=', '<', '<='), number)
    .map(([name, op, n]) => `${name}:${op}${n}`),
  fc
    .tuple(field, fc.constantFrom('[', '{'), number, number, fc.constantFrom(']', '}'))
    .map(([name, open, low, high, close]) => `${name}:${open}${low} TO ${high}${close}`),
);
const query: fc.Arbitrary<string> = fc.letrec<{ expr: string; item: string }>((tie) => ({
  item: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    term,
    tie('item').map((inner) => `-${inner}`),
    tie('item').map((inner) => `NOT ${inner}`),
    tie('expr').map((inner) => `(${inner})`),
  ),
  expr: fc
    .array(fc.tuple(fc.constantFrom(' ', ' AND ', ' OR ', '  '), tie('item')), {
      minLength: 1,
      maxLength: 5,
    })
    .map((parts) => parts.map(([join, item], index) => (index ? join : '') + item).join('')),
})).expr;

const canariesIn = (text: string) => text.match(/zq[a-z0-9]{3,8}/g) ?? [];

describe('the query language on arbitrary input (property-based)', () => {
  it('throws nothing but QuerySyntaxError, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200, unit: anyCodePoint }),
          fc.string({ maxLength: 200, unit: 'grapheme' }),
          query,
          fc
            .array(fc.constantFrom('(', ')', '"', '\\', ':', '-', 'NOT ', 'a', ' '), {
              maxLength: 60,
            })
            .map((parts) => parts.join('')),
        ),
        (text) => {
          try {
            const node = parseQuery(text);
            if (node) expect(compileChecked(node).problems).toEqual([]);
          } catch (error) {
            expect(error).toBeInstanceOf(QuerySyntaxError);
            const position = (error as QuerySyntaxError).position;
            expect(position >= 0 && position <= text.length).toBe(true);
          }
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('compiles to parameterised SQL only: user text is never in the SQL string', () => {
    let compiled = 0;
    fc.assert(
      fc.property(query, (text) => {
        let node;
        try {
          node = parseQuery(text);
        } catch (error) {
          expect(error).toBeInstanceOf(QuerySyntaxError);
          return;
        }
        if (!node) return;
        const { sql, params, problems } = compileChecked(node);
        compiled++;
        const travelled = JSON.stringify(params).toLowerCase();
        for (const marker of canariesIn(text)) {
          if (sql.includes(marker)) problems.push(`query text ${marker} in: ${sql}`);
          // …and the value does travel, as a parameter (level names are resolved to numbers).
          if (!text.includes('level:') && !travelled.includes(marker)) {
            problems.push(`${marker} is not among the parameters ${travelled}`);
          }
        }
        expect(problems).toEqual([]);
        // The in-memory matcher (live tail) takes the same trees without throwing.
        compileQueryMatcher(node)({
          id: '1',
          ts: new Date(0).toISOString(),
          receivedAt: new Date(0).toISOString(),
          level: 'error',
          source: 'zq',
          host: null,
          message: "it's zq a test",
          statusCode: 500,
          method: 'GET',
          path: '/',
          latencyMs: 1,
          fields: { a: 1 },
          parseError: null,
        });
      }),
      { numRuns: 3_000 },
    );
    expect(compiled).toBeGreaterThan(1_000);
  });
});
