import type { LogRecord } from '@app/contracts';
import { compileQueryMatcher, parseQuery } from '.';

const base: LogRecord = {
  id: '1',
  ts: '2026-01-01T00:00:00.000000Z',
  receivedAt: '2026-01-01T00:00:00.000000Z',
  level: 'info',
  source: 'nginx',
  host: null,
  message: '',
  statusCode: null,
  method: null,
  path: null,
  latencyMs: null,
  fields: {},
  parseError: null,
};

const access: LogRecord = {
  ...base,
  id: 'access',
  level: 'error',
  host: 'web-1',
  message: '10.0.0.1 - - "GET /api/orders/42 HTTP/1.1" 503 "Mozilla/5.0 (X11)" timed out',
  statusCode: 503,
  method: 'GET',
  path: '/api/orders/42',
  latencyMs: 250.5,
  fields: {
    user: 'ann',
    'trace.id': 'abc',
    n: 12,
    s: '12',
    ok: true,
    tags: ['a', 'b'],
    obj: { b: 1, a: 'x' },
  },
};
const app: LogRecord = {
  ...base,
  id: 'app',
  level: 'warning',
  source: 'app',
  host: 'web2',
  message: 'Connection refused: retrying in 100% of cases (İstanbul ΟΔΟΣ)',
  fields: { user: 'bob', n: 1e21, small: 1.5e-7, nothing: null },
};
const bare: LogRecord = { ...base, id: 'bare', level: 'debug', message: 'disk full on /var' };
const records = [access, app, bare];

function matching(query: string): string[] {
  const matches = compileQueryMatcher(parseQuery(query)!);
  return records.filter(matches).map((record) => record.id);
}

describe('compileQueryMatcher', () => {
  it.each<[string, string[]]>([
    // Full text: punctuation-split, case-insensitive words; phrases are consecutive tokens.
    ['orders', ['access']],
    ['mozilla', ['access']],
    ['ORDERS/42', ['access']],
    ['"orders 42"', ['access']],
    ['"42 orders"', []],
    ['"connection refused"', ['app']],
    ['time*', ['access']],
    ['tim', []],
    ['istanbul', ['app']],
    ['ΟΔΟΣ', ['app']],
    ['"ion ref"', []],
    ['*ion?ref*', ['app']],
    ['*100\\%*', ['app']],
    ['*10_\\%*', []],
    ['message:disk', ['bare']],
    // Columns.
    ['level:error', ['access']],
    ['level:>=warning', ['access', 'app']],
    ['level:<warning', ['bare']],
    ['source:nginx', ['access', 'bare']],
    ['source:NGINX', []],
    ['host:web-?', ['access']],
    ['host:web*', ['access', 'app']],
    ['host:*', ['access', 'app']],
    ['method:get', ['access']],
    ['method:G*', ['access']],
    ['path:/api/*', ['access']],
    ['path:/API/*', []],
    ['status:>=500', ['access']],
    ['status:503', ['access']],
    ['latency_ms:[250 TO 251]', ['access']],
    ['latency_ms:{250.5 TO *]', []],
    // A missing value fails every test, and passes its negation.
    ['-host:web2', ['access', 'bare']],
    ['NOT status:>=500', ['app', 'bare']],
    ['-latency_ms:<1000', ['app', 'bare']],
    // fields: text as ->> gives it; numbers only for JSON numbers.
    ['fields.user:ann', ['access']],
    ['fields.trace.id:abc', ['access']],
    ['fields.n:12', ['access']],
    ['fields.s:12', ['access']],
    ['fields.n:>=10', ['access', 'app']],
    ['fields.s:>=10', []],
    ['fields.n:1000000000000000000000', ['app']],
    ['fields.small:0.00000015', ['app']],
    ['fields.ok:true', ['access']],
    ['fields.tags:"[\\"a\\", \\"b\\"]"', ['access']],
    ['fields.obj:"{\\"a\\": \\"x\\", \\"b\\": 1}"', ['access']],
    ['fields.nothing:*', []],
    ['fields.constructor:*', []],
    ['-fields.user:ann', ['app', 'bare']],
    // Operators.
    ['orders OR disk', ['access', 'bare']],
    ['(orders OR disk) level:debug', ['bare']],
    ['-orders -disk', ['app']],
  ])('%s', (query, expected) => {
    expect(matching(query)).toEqual(expected);
  });
});
