import { fullTextTerms, highlightSpans, parseQuery } from '.';

function highlighted(query: string, message: string): string[] {
  return highlightSpans(parseQuery(query), message).map(([start, end]) =>
    message.slice(start, end),
  );
}

describe('highlightSpans', () => {
  it('finds a word inside punctuation', () => {
    expect(highlightSpans(parseQuery('orders'), 'GET /api/orders/42')).toEqual([[9, 15]]);
  });

  it.each<[string, string, string[]]>([
    ['ORDERS', 'orders, Orders and ORDERS', ['orders', 'Orders', 'ORDERS']],
    ['orders/42', 'GET /api/orders/42', ['orders/42']],
    ['"connection refused"', 'Connection  Refused; connection reset', ['Connection  Refused']],
    ['time*', 'timeout timed overtime', ['timeout', 'timed']],
    ['*fail?d*', 'it FAILED then failed', ['FAILED', 'failed']],
    ['message:*a*c*', 'abc abc', ['abc', 'abc']],
    ['İSTANBUL', 'to İstanbul', ['İstanbul']],
    ['"->"', 'a -> b -> c', ['->', '->']],
    // Overlapping and touching spans are merged.
    ['orders "api orders" *rs/4*', 'GET /api/orders/42', ['api/orders/4']],
    // Not under NOT, and never for fields.
    ['orders -api host:api level:error', 'GET /api/orders/42', ['orders']],
    ['mozilla OR orders', 'GET /api/orders/42 Mozilla/5.0', ['orders', 'Mozilla']],
    ['*', 'anything', []],
  ])('%s in %j', (query, message, expected) => {
    expect(highlighted(query, message)).toEqual(expected);
  });

  it('gives string offsets around characters outside the BMP', () => {
    const message = '😀 error 😀 error';
    expect(highlightSpans(parseQuery('*ERR*'), message)).toEqual([
      [3, 6],
      [12, 15],
    ]);
    expect(highlightSpans(parseQuery('error'), message)).toEqual([
      [3, 8],
      [12, 17],
    ]);
  });

  it('is empty without a query', () => {
    expect(highlightSpans(null, 'error')).toEqual([]);
  });
});

describe('fullTextTerms', () => {
  it('lists positive words and phrases as index tokens', () => {
    expect(
      fullTextTerms(
        parseQuery('Timeout (orders/42 OR "Disk Full") time* *sub* -quokka host:x "one"'),
      ),
    ).toEqual({
      words: ['timeout', 'one'],
      phrases: [
        ['orders', '42'],
        ['disk', 'full'],
      ],
    });
    expect(fullTextTerms(parseQuery('-timeout level:error'))).toEqual({ words: [], phrases: [] });
    expect(fullTextTerms(null)).toEqual({ words: [], phrases: [] });
  });
});
