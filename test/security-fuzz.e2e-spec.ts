import { getDataSourceToken } from '@nestjs/typeorm';
import { createTestEnv, startSystem, type TestEnv, type TestSystem } from '@app/testing';
import fc from 'fast-check';
import type { DataSource } from 'typeorm';

/** Any code point but lone surrogates, controls included: fast-check's 'binary' unit, much faster. */
const anyCodePoint = fc
  .oneof(
    fc.integer({ min: 0, max: 0x7f }),
    fc.integer({ min: 0x80, max: 0xd7ff }),
    fc.integer({ min: 0xe000, max: 0x10ffff }),
  )
  .map((code) => String.fromCodePoint(code));

/**
 * Property-based fuzzing over HTTP with the real api and worker: random JSON bodies to the ingest
 * API (no 500, every accepted line stored: counted in Postgres) and random queries to the search
 * API (200 or 400, never 500).
 */
describe('fuzzing the ingest and search APIs (real api + worker)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let dataSource: DataSource;
  let key: string;

  beforeAll(async () => {
    testEnv = createTestEnv('security_fuzz');
    system = await startSystem(testEnv);
    dataSource = system.api.get<DataSource>(getDataSourceToken());
    key = await system.createApiKey(await system.login(), 'fuzz');
  });

  afterAll(async () => {
    await system?.close();
    await testEnv?.cleanup();
  });

  const stored = async (source: string): Promise<number> => {
    const rows: { count: string }[] = await dataSource.query(
      `SELECT count(*) AS count FROM logs WHERE source = $1`,
      [source],
    );
    return Number(rows[0].count);
  };

  it('answers random JSON with 202 or 400, never 500, and stores every accepted line', async () => {
    const anyJson = fc.jsonValue({ maxDepth: 4, stringUnit: anyCodePoint });
    const body = fc.oneof(
      anyJson,
      fc.dictionary(fc.string({ unit: anyCodePoint, maxLength: 12 }), anyJson, { maxKeys: 8 }),
      fc.array(
        fc.oneof(
          fc.dictionary(fc.string({ unit: anyCodePoint, maxLength: 12 }), anyJson, { maxKeys: 6 }),
          fc.string({ unit: anyCodePoint, maxLength: 200 }),
          anyJson,
        ),
        { maxLength: 12 },
      ),
    );
    let accepted = 0;
    let requests = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const response = await fetch(`${system.baseUrl}/api/v1/ingest?source=fuzz-json`, {
          method: 'POST',
          headers: { 'x-api-key': key, 'content-type': 'application/json' },
          body: JSON.stringify(value),
        });
        requests++;
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const reply = (await response.json()) as { accepted?: number; statusCode?: number };
        expect([202, 400]).toContain(response.status);
        if (response.status === 202) accepted += reply.accepted ?? 0;
        else expect(reply.statusCode).toBe(400);
      }),
      { numRuns: 200 },
    );
    expect(requests).toBe(200);
    expect(statuses.get(202) ?? 0).toBeGreaterThan(60);
    expect(accepted).toBeGreaterThan(200);
    await system.drain(60_000);
    expect(await stored('fuzz-json')).toBe(accepted);
  });

  it('answers random NDJSON and plain text with 202 or 400 and stores every accepted line', async () => {
    const line = fc.oneof(
      fc.jsonValue({ maxDepth: 3, stringUnit: anyCodePoint }).map((value) => JSON.stringify(value)),
      fc.string({ unit: anyCodePoint, maxLength: 120 }),
    );
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 20 }),
        fc.constantFrom('application/x-ndjson', 'text/plain'),
        async (lines, contentType) => {
          const response = await fetch(`${system.baseUrl}/api/v1/ingest?source=fuzz-lines`, {
            method: 'POST',
            headers: { 'x-api-key': key, 'content-type': contentType },
            body: lines.join('\n'),
          });
          const reply = (await response.json()) as { accepted?: number };
          expect([202, 400]).toContain(response.status);
          if (response.status === 202) accepted += reply.accepted ?? 0;
        },
      ),
      { numRuns: 150 },
    );
    expect(accepted).toBeGreaterThan(150);
    await system.drain(60_000);
    expect(await stored('fuzz-lines')).toBe(accepted);
  });

  it('answers random search queries with 200 or 400, never 500', async () => {
    const pieces = fc.constantFrom(
      'a',
      'zq',
      'level:',
      'status:',
      'fields.x:',
      'source:',
      'path:',
      'AND',
      'OR',
      'NOT',
      ' TO ',
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
      '1e999',
      "'",
      ';',
      '--',
      '$1',
      ' ',
    );
    const queryText = fc.oneof(
      fc.string({ unit: anyCodePoint, maxLength: 60 }),
      fc.array(pieces, { maxLength: 14 }).map((parts) => parts.join('')),
    );
    await fc.assert(
      fc.asyncProperty(queryText, async (q) => {
        const response = await fetch(
          `${system.baseUrl}/api/v1/logs?limit=5&q=${encodeURIComponent(q)}`,
          { headers: { 'x-api-key': key } },
        );
        expect([q, [200, 400].includes(response.status)]).toEqual([q, true]);
        await response.arrayBuffer();
      }),
      { numRuns: 200 },
    );
  });
});
