import {
  compileQueryMatcher,
  compileQueryToSql,
  fullTextTerms,
  highlightSpans,
  parseQuery,
  QuerySyntaxError,
} from '.';
import { pick, randomQuery, randomRecord, seededRandom, type Random } from './samples.testing';

const PIECES = [
  'a',
  'orders/42',
  'level:',
  'status:',
  'latency_ms:',
  'fields.x:',
  'host:',
  'foo:',
  'AND',
  'OR',
  'NOT',
  'TO',
  '-',
  '(',
  ')',
  '"',
  '\\',
  '*',
  '?',
  ':',
  '[',
  ']',
  '{',
  '}',
  '>=',
  '<',
  '1',
  '1e999',
  'error',
  ' ',
  '  ',
  '😀',
  'İ',
  "'",
];

/** Random pieces of syntax glued together: mostly invalid, sometimes valid. */
function junk(random: Random): string {
  let text = '';
  const count = Math.floor(random() * 12);
  for (let i = 0; i < count; i++) text += pick(random, PIECES);
  return text;
}

describe('random queries', () => {
  const random = seededRandom(2026);
  const records = Array.from({ length: 30 }, (_, i) => randomRecord(random, i + 1));

  it('throw nothing but QuerySyntaxError, and compile when they parse', () => {
    let parsed = 0;
    for (let i = 0; i < 5000; i++) {
      const query = i % 2 ? junk(random) : `${randomQuery(random)} ${junk(random)}`;
      let node;
      try {
        node = parseQuery(query);
      } catch (error) {
        expect(error).toBeInstanceOf(QuerySyntaxError);
        const { position } = error as QuerySyntaxError;
        expect(position >= 0 && position <= query.length).toBe(true);
        continue;
      }
      parsed++;
      fullTextTerms(node);
      if (!node) continue;
      const params: unknown[] = [];
      compileQueryToSql(node, (value) => `$${params.push(value)}`);
      const matches = compileQueryMatcher(node);
      for (const record of records) {
        matches(record);
        for (const [start, end] of highlightSpans(node, record.message))
          expect(start < end && end <= record.message.length).toBe(true);
      }
    }
    expect(parsed).toBeGreaterThan(1000);
  });
});
