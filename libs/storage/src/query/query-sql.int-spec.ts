import { LOG_LEVELS, type LogRecord } from '@app/contracts';
import { MIGRATIONS } from '@app/migrations';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ensureDatabaseExists, quoteIdentifier } from '../database';
import { compileQueryMatcher, compileQueryToSql, parseQuery } from '.';
import { randomQuery, randomRecord, seededRandom } from './samples.testing';

const SERVER_URL = process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const ROWS = 400;
const RANDOM_QUERIES = 300;

// The real schema and log_tsv() (migrations run for real), so this proves that the SQL and the
// in-memory matcher select the same lines.
describe('query SQL against the in-memory matcher (real Postgres)', () => {
  const database = `lookout_qtest_${randomBytes(4).toString('hex')}`;
  const records: LogRecord[] = [];
  let client: Client;

  beforeAll(async () => {
    const url = `${SERVER_URL}/${database}`;
    await ensureDatabaseExists(url);
    const dataSource = await new DataSource({
      type: 'postgres',
      url,
      migrations: MIGRATIONS,
    }).initialize();
    await dataSource.runMigrations();
    await dataSource.destroy();
    client = new Client({ connectionString: url });
    await client.connect();
    const random = seededRandom(42);
    for (let id = 1; id <= ROWS; id++) records.push(randomRecord(random, id));
    for (const record of records) {
      await client.query(
        `INSERT INTO logs (id, ts, received_at, level, source, host, message, status_code, method,
           path, latency_ms, fields)
         VALUES ($1, now(), now(), $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb)`,
        [
          record.id,
          LOG_LEVELS.indexOf(record.level),
          record.source,
          record.host,
          record.message,
          record.statusCode,
          record.method,
          record.path,
          record.latencyMs,
          // As the writer stores them: NULL when there are no fields.
          Object.keys(record.fields).length ? JSON.stringify(record.fields) : null,
        ],
      );
    }
  });

  afterAll(async () => {
    await client?.end();
    const admin = new Client({ connectionString: `${SERVER_URL}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)} WITH (FORCE)`);
    await admin.end();
  });

  async function compare(query: string): Promise<number> {
    const node = parseQuery(query)!;
    const params: unknown[] = [];
    const sql = compileQueryToSql(node, (value) => {
      params.push(value);
      return `$${params.length}`;
    });
    const result = await client.query<{ id: string }>(
      `SELECT id::text AS id FROM logs WHERE ${sql} ORDER BY logs.id`,
      params,
    );
    const matches = compileQueryMatcher(node);
    const expected = records.filter(matches).map((record) => record.id);
    expect({ query, ids: result.rows.map((row) => row.id) }).toEqual({ query, ids: expected });
    return expected.length;
  }

  it.each([
    'orders',
    'mozilla',
    'Mozilla/5.0',
    'orders/42',
    '"connection refused"',
    '"orders 42"',
    'time*',
    'İSTANBUL',
    'ΟΔΟΣ',
    '1e5',
    'abc',
    '1e5abc',
    '*%_*',
    '"->"',
    'straße',
    'fields.n:1000000000000000000000',
    'fields.n:0.00000015',
    'fields.obj:"{\\"a\\": \\"x\\", \\"b\\": 1, \\"aa\\": [true]}"',
    'fields.arr:"[1, \\"x\\"]"',
    '-host:web1',
    '-fields.user:ann',
    'NOT status:>=500',
    'method:get',
    'level:>=warning -level:error',
  ])('agrees on %s', async (query) => {
    expect(await compare(query)).toBeGreaterThan(0);
  });

  it('agrees on random queries, and they select something now and then', async () => {
    const random = seededRandom(7);
    let selective = 0;
    for (let i = 0; i < RANDOM_QUERIES; i++) {
      const found = await compare(randomQuery(random));
      if (found > 0 && found < ROWS) selective++;
    }
    expect(selective).toBeGreaterThan(RANDOM_QUERIES / 4);
  });

  it('keeps words that PostgreSQL indexes past position 16383 and 255 repeats', async () => {
    const long = `${'a b '.repeat(300)}a c ${'x '.repeat(17000)}y z`;
    await client.query(
      `INSERT INTO logs (id, ts, received_at, level, source, message) VALUES (100000, now(), now(), 6, 'long', $1)`,
      [long],
    );
    records.push({
      ...records[0],
      id: '100000',
      source: 'long',
      message: long,
      host: null,
      fields: {},
    });
    const found: number[] = [];
    for (const phrase of ['"a c"', '"a b"', '"y z"', '"x y"', 'z'])
      found.push(await compare(`source:long ${phrase}`));
    expect(found).toEqual([0, 1, 0, 0, 1]);
  });
});
