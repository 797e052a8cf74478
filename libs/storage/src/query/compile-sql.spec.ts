import { compileQueryToSql, parseQuery } from '.';
import { randomQuery, seededRandom } from './samples.testing';

function compile(query: string): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const sql = compileQueryToSql(parseQuery(query)!, (value) => {
    params.push(value);
    return `$${params.length}`;
  });
  return { sql, params };
}

const TSV = 'log_tsv(message) @@';
/** The prefilter of an ASCII token (compile-sql.ts). */
const HAS = (n: number) =>
  `(message ILIKE $${n} COLLATE ucs_basic OR octet_length(message) <> char_length(message))`;
const JSON_NUMBER = (key: string) =>
  `CASE WHEN jsonb_typeof(fields->${key}) = 'number' THEN (fields->>${key})::numeric END`;

describe('compileQueryToSql', () => {
  it.each<[string, string, unknown[]]>([
    ['timeout', `(${HAS(1)} AND ${TSV} to_tsquery('simple', $2))`, ['%timeout%', 'timeout']],
    [
      'Mozilla/5.0',
      `(${HAS(1)} AND ${HAS(2)} AND ${HAS(3)} AND ${TSV} to_tsquery('simple', $4))`,
      ['%mozilla%', '%5%', '%0%', 'mozilla <-> 5 <-> 0'],
    ],
    ['time*', `(${HAS(1)} AND ${TSV} to_tsquery('simple', $2))`, ['%time%', 'time:*']],
    [
      '"Connection Refused"',
      `(${HAS(1)} AND ${HAS(2)} AND ${TSV} phraseto_tsquery('simple', $3))`,
      ['%connection%', '%refused%', 'connection refused'],
    ],
    ['straße', `(message ILIKE $1 AND ${TSV} to_tsquery('simple', $2))`, ['%straße%', 'straße']],
    ['*fail?d*', 'message ILIKE $1', ['%fail_d%']],
    ['message:*100%*', 'message ILIKE $1', ['%100\\%%']],
    ['level:error', 'level = $1', [3]],
    ['level:>=warning', 'level = ANY($1::smallint[])', [[0, 1, 2, 3, 4]]],
    ['level:x*', 'FALSE', []],
    ['source:nginx', 'source = $1', ['nginx']],
    ['host:web-?', 'host LIKE $1', ['web-_']],
    ['path:/api/*', 'path LIKE $1', ['/api/%']],
    ['host:*', 'host IS NOT NULL', []],
    ['method:get', 'lower(method) = lower($1)', ['get']],
    ['method:p*', 'method ILIKE $1', ['p%']],
    ['status:500', 'status_code = $1::bigint', [500]],
    ['status:>=500', 'status_code >= $1::bigint', [500]],
    ['status:[400 TO 500}', '(status_code >= $1::bigint AND status_code < $2::bigint)', [400, 500]],
    ['status:*', 'status_code IS NOT NULL', []],
    ['latency_ms:<100', 'latency_ms < $1', [100]],
    ['latency_ms:{100 TO *]', 'latency_ms > $1', [100]],
    ['latency_ms:[* TO *]', 'latency_ms IS NOT NULL', []],
    ['fields.user:ann', 'fields->>$1 = $2', ['user', 'ann']],
    ['fields.trace.id:a*', 'fields->>$1 LIKE $2', ['trace.id', 'a%']],
    ['fields.user:*', 'fields->>$1 IS NOT NULL', ['user']],
    ['fields.ms:>=100', `${JSON_NUMBER('$1')} >= $2`, ['ms', 100]],
    ['fields.ms:100', 'fields->>$1 = $2', ['ms', '100']],
    ['-host:web1', 'NOT coalesce(host = $1, false)', ['web1']],
    [
      '(error OR warn*) -host:web1 status:>=500',
      `(((${HAS(1)} AND ${TSV} to_tsquery('simple', $2)) OR (${HAS(3)} AND ${TSV} to_tsquery('simple', $4)))` +
        ` AND NOT coalesce(host = $5, false) AND status_code >= $6::bigint)`,
      ['%error%', 'error', '%warn%', 'warn:*', 'web1', 500],
    ],
  ])('%s', (query, sql, params) => {
    expect(compile(query)).toEqual({ sql, params });
  });

  it('passes hostile text only as parameters', () => {
    expect(compile(`host:"x'; DROP TABLE logs;--"`)).toEqual({
      sql: 'host = $1',
      params: ["x'; DROP TABLE logs;--"],
    });
    expect(compile(`fields.x';DROP--:1`)).toEqual({
      sql: 'fields->>$1 = $2',
      params: ["x';DROP--", '1'],
    });
    expect(compile(`"'); DROP TABLE logs; --"`)).toEqual({
      sql: `(${HAS(1)} AND ${HAS(2)} AND ${HAS(3)} AND ` + `${TSV} phraseto_tsquery('simple', $4))`,
      params: ['%drop%', '%table%', '%logs%', 'drop table logs'],
    });
    expect(compile(`*'--*`)).toEqual({ sql: 'message ILIKE $1', params: ["%'--%"] });
  });

  it('never puts text from the query into the SQL string', () => {
    const random = seededRandom(1);
    const hostile = ["'", '"', ';', '--', '/*', '$$', 'DROP', 'x\\'];
    const quoted = (i: number) => `"${hostile[i % hostile.length].replace(/[\\"]/g, '\\$&')}"`;
    for (let i = 0; i < 500; i++) {
      const query = `${randomQuery(random)} host:${quoted(i)} fields.k:${quoted(i + 3)} ${quoted(i + 5)}*`;
      const { sql, params } = compile(query);
      // The only literals in the SQL are the fixed 'simple' and 'number'.
      const stripped = sql.replace(/'simple'|'number'/g, '');
      expect(stripped).not.toMatch(/['";]|--|\/\*|\$\$|DROP|\\/);
      expect(
        sql.match(/\$\d+/g)?.every((placeholder) => Number(placeholder.slice(1)) <= params.length),
      ).toBe(true);
    }
  });
});
