// Test data shared by the query specs: sample log records and random queries from a small grammar.
// Values are chosen to hit the edges where SQL and the in-memory matcher could disagree.
import { LOG_LEVELS, type LogRecord } from '@app/contracts';

export type Random = () => number;

/** A small seeded generator (mulberry32), so a failing case can be replayed. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

const MESSAGE_PARTS = [
  'GET /api/orders/42 HTTP/1.1',
  'Mozilla/5.0 (X11; Linux x86_64)',
  'timeout',
  'Timeout after 30s',
  'timed out',
  'timestamp=1700000000',
  'connection refused',
  'refused connection',
  'disk full on /var',
  '100%_literal',
  'user=ann',
  'İstanbul',
  'ΟΔΟΣ',
  'café naïve',
  '1e5abc',
  '1E5',
  'ERROR:',
  'warn',
  'x²y',
  'orders-42',
  'web-1',
  '->',
  '"quoted"',
  "it's",
  'a\\b',
  'tab\there',
  'new\nline',
  '日本語テスト',
  'straße',
  'STRASSE',
  'fail',
  'failed',
  'faild',
];

export function randomMessage(random: Random): string {
  const count = 1 + Math.floor(random() * 6);
  let message = pick(random, MESSAGE_PARTS);
  for (let i = 1; i < count; i++)
    message += pick(random, [' ', ' ', '/', '']) + pick(random, MESSAGE_PARTS);
  return message;
}

function randomFields(random: Random): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const maybe = (key: string, values: unknown[]) => {
    if (random() < 0.5) fields[key] = pick(random, values);
  };
  maybe('user', ['ann', 'bob', 'Ann', 'ann smith']);
  maybe('n', [1, 2.5, -3, 100, 1e21, 1.5e-7, '12', true, null]);
  maybe('trace.id', ['abc', 'a.b.c', 'x%y']);
  maybe('arr', [[1, 'x'], []]);
  maybe('obj', [{ b: 1, a: 'x', aa: [true] }, {}]);
  maybe('flag', [true, false]);
  maybe('code', [500, '500', 404]);
  return fields;
}

/** A record as the live tail sees it (ids are 1, 2, 3 …). */
export function randomRecord(random: Random, id: number): LogRecord {
  return {
    id: String(id),
    ts: '2026-01-01T00:00:00.000000Z',
    receivedAt: '2026-01-01T00:00:00.000000Z',
    level: pick(random, LOG_LEVELS),
    source: pick(random, ['nginx', 'app', 'Nginx', 'sys_log']),
    host: pick(random, [null, 'web1', 'web2', 'web-1', 'web 1', 'WEB1', "x'y"]),
    message: randomMessage(random),
    statusCode: pick(random, [null, 200, 404, 500, 503]),
    method: pick(random, [null, 'GET', 'get', 'POST', 'Delete']),
    path: pick(random, [null, '/api/orders/42', '/api/users', '/health', '/api%2F_x']),
    latencyMs: pick(random, [null, 0, 99.5, 100, 250, 500, 500.0001, 1e6]),
    fields: randomFields(random),
    parseError: null,
  };
}

const FREE_TERMS = [
  'timeout',
  'TIMEOUT',
  'time*',
  'tim*',
  '*ord*',
  'ti?e*',
  'orders/42',
  'api/orders',
  'mozilla',
  '"connection refused"',
  '"refused connection"',
  '"orders 42"',
  'İSTANBUL',
  'istanbul',
  'οδος',
  'ΟΔΟΣ',
  'café',
  '1e5',
  '1e5abc',
  '1e5*',
  'abc*',
  '100%_*',
  '*%_*',
  '"->"',
  'ß',
  'straße',
  'ss',
  'x²y',
  'x',
  'fail*',
  'fail?d',
  '*a\\b*',
  'user=ann',
  "it's",
  '"quoted"',
  '\\"quoted\\"',
  'new',
];

const FIELD_TERMS = [
  'level:error',
  'level:err',
  'level:WARN',
  'level:fatal',
  'level:4',
  'level:>=warning',
  'level:>warning',
  'level:<=info',
  'level:<error',
  'level:[warning TO error]',
  'level:[error TO warning}',
  'level:{debug TO *]',
  'level:warn*',
  'level:*',
  'source:nginx',
  'source:Nginx',
  'source:sys_log',
  'source:sys?log',
  'source:N*',
  'host:web1',
  'host:"web 1"',
  'host:web-?',
  'host:web*',
  'host:WEB*',
  'host:*',
  'host:"x\'y"',
  'status:500',
  'status:>=500',
  'status:>400',
  'status:<=404',
  'status:[400 TO 500}',
  'status:*',
  'method:get',
  'method:GET',
  'method:p*',
  'method:DELETE',
  'path:/api/*',
  'path:/api/orders/42',
  'path:*\\%2F\\_*',
  'path:*',
  'latency_ms:<100',
  'latency_ms:>=100',
  'latency_ms:[100 TO 500]',
  'latency_ms:{100 TO 500}',
  'latency_ms:[* TO 99.5]',
  'latency_ms:99.5',
  'latency_ms:*',
  'fields.user:ann',
  'fields.user:Ann*',
  'fields.user:"ann smith"',
  'fields.user:*',
  'fields.n:>=1',
  'fields.n:<0',
  'fields.n:[1 TO 100]',
  'fields.n:1000000000000000000000',
  'fields.n:0.00000015',
  'fields.n:12',
  'fields.n:true',
  'fields.n:*',
  'fields.trace.id:abc',
  'fields.trace.id:*.*',
  'fields.trace.id:x%y',
  'fields.arr:"[1, \\"x\\"]"',
  'fields.arr:"[]"',
  'fields.obj:"{\\"a\\": \\"x\\", \\"b\\": 1, \\"aa\\": [true]}"',
  'fields.obj:"{}"',
  'fields.flag:true',
  'fields.code:500',
  'fields.code:>=500',
  'message:timeout',
  'message:"disk full"',
  'message:*full*',
];

/** A random valid query: terms joined by every operator, nested a little. */
export function randomQuery(random: Random, depth = 0): string {
  const term = () => pick(random, random() < 0.5 ? FREE_TERMS : FIELD_TERMS);
  if (depth > 2 || random() < 0.35) return term();
  const sub = () => randomQuery(random, depth + 1);
  switch (Math.floor(random() * 6)) {
    case 0:
      return `${sub()} ${sub()}`;
    case 1:
      return `${sub()} AND ${sub()}`;
    case 2:
      return `${sub()} OR ${sub()}`;
    case 3:
      return `NOT ${sub()}`;
    case 4:
      return `-${term()}`;
    default:
      return `(${sub()})`;
  }
}
