import fc from 'fast-check';
import { compileQueryMatcher, parseQuery } from '@app/storage';
import type { LogRecord } from '@app/contracts';
import { prefilterLower, textPrefilter } from './text-prefilter';

const record = (message: string): LogRecord => ({
  id: '1',
  ts: '2026-01-01T00:00:00Z',
  receivedAt: '2026-01-01T00:00:00Z',
  level: 'error',
  source: 'app',
  host: 'web-1',
  message,
  statusCode: 500,
  method: 'GET',
  path: '/api',
  latencyMs: 12,
  fields: {},
  parseError: null,
});

describe('full-text prefilter', () => {
  const QUERIES = [
    'timeout',
    '"connection refused"',
    'orders/42',
    'time*',
    'timeout OR refused',
    'timeout level:error',
    'timeout OR level:error',
    '-timeout',
    'ΣΊΣΥΦΟΣ',
    'İstanbul',
    'status:>=500 (disk AND full)',
  ];
  const MESSAGES = [
    'upstream Timeout after 30s',
    'Connection REFUSED by peer',
    'GET /api/orders/42',
    'timed out',
    'ΣΊΣΥΦΟΣ was here',
    'İSTANBUL office',
    'disk is full',
    '',
  ];

  it('never rejects a line the exact matcher accepts', () => {
    for (const query of QUERIES) {
      const node = parseQuery(query);
      const matches = compileQueryMatcher(node!);
      const prefilter = textPrefilter(node);
      for (const message of MESSAGES) {
        if (matches(record(message)))
          expect([query, message, prefilter?.(prefilterLower(message)) ?? true]).toEqual([
            query,
            message,
            true,
          ]);
      }
    }
    // Messages made of the queries' words, in any case, glued by odd characters.
    const fragment = fc.constantFrom(
      'timeout',
      'TIME',
      'out',
      'Connection',
      'REFUSED',
      'orders',
      '/',
      '42',
      'disk',
      'full',
      'İSTANBUL',
      'istanbul',
      'İ',
      'ı',
      'ΣΊΣΥΦΟΣ',
      'σ',
      'ς',
      'ß',
      'ﬀ',
      ' ',
      '-',
      '\u0307',
      '1e5',
    );
    fc.assert(
      fc.property(
        fc.array(fragment, { maxLength: 8 }),
        fc.constantFrom(...QUERIES),
        (parts, query) => {
          const message = parts.join('');
          const node = parseQuery(query);
          if (!compileQueryMatcher(node!)(record(message))) return true;
          return textPrefilter(node)?.(prefilterLower(message)) ?? true;
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('rejects lines without the words, and has nothing to say about other queries', () => {
    expect(textPrefilter(parseQuery('timeout'))?.('all good')).toBe(false);
    expect(textPrefilter(parseQuery('"disk full" level:error'))?.('disk is fine')).toBe(false);
    expect(textPrefilter(parseQuery('timeout OR level:error'))).toBeNull();
    expect(textPrefilter(parseQuery('-timeout'))).toBeNull();
    expect(textPrefilter(parseQuery('level:error'))).toBeNull();
    expect(textPrefilter(null)).toBeNull();
  });
});
