import { gzipSync } from 'node:zlib';
import type { LogRecordDetail, LogSearchResponse } from '@app/contracts';
import { createTestEnv, startSystem, waitFor, type TestEnv, type TestSystem } from '@app/testing';

/** HTTP in → BullMQ → parse → COPY into Postgres → search API, with the real api and worker. */
describe('the whole pipeline (api + worker, real Postgres and Redis)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let token: string;
  let apiKey: string;

  beforeAll(async () => {
    testEnv = createTestEnv('pipeline', {
      INGEST_MAX_BODY_BYTES: String(1024 * 1024),
      MAX_LINE_LENGTH: '1000',
    });
    system = await startSystem(testEnv);
    token = await system.login();
    apiKey = await system.createApiKey(token, 'e2e shipper');
  });

  afterAll(async () => {
    await system?.close();
    await testEnv?.cleanup();
  });

  const ingest = (
    source: string,
    body: string | Buffer,
    headers: Record<string, string>,
    auth = apiKey,
  ) =>
    fetch(`${system.baseUrl}/api/v1/ingest?source=${source}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${auth}`, ...headers },
      body,
    });
  const search = async (query: string): Promise<LogSearchResponse> => {
    const response = await fetch(
      `${system.baseUrl}/api/v1/logs?from=1970-01-01T00:00:00Z&${query}`,
      {
        headers: { 'x-api-key': apiKey },
      },
    );
    expect(response.status).toBe(200);
    return (await response.json()) as LogSearchResponse;
  };

  it('stores three plain-text lines and finds them with every field right', async () => {
    const response = await ingest(
      'curl-demo',
      '2026-11-21T10:00:00.250Z ERROR payment failed order=7\nuser alice logged in\n2026-11-21T10:00:02+01:00 WARN disk 91% full\n',
      { 'content-type': 'text/plain' },
    );
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 3, rejected: [] });
    await system.drain();

    const { items, nextCursor } = await search('source=curl-demo');
    expect(nextCursor).toBeNull();
    const byMessage = Object.fromEntries(items.map((item) => [item.message, item]));
    expect(byMessage['2026-11-21T10:00:00.250Z ERROR payment failed order=7']).toMatchObject({
      ts: '2026-11-21T10:00:00.250000Z',
      level: 'error',
      source: 'curl-demo',
      host: '127.0.0.1',
      parseError: null,
      fields: {},
    });
    expect(byMessage['2026-11-21T10:00:02+01:00 WARN disk 91% full']).toMatchObject({
      ts: '2026-11-21T09:00:02.000000Z',
      level: 'warning',
    });
    const plain = byMessage['user alice logged in'];
    expect(plain.level).toBe('info');
    expect(Math.abs(Date.parse(plain.ts) - Date.now())).toBeLessThan(60_000);
    expect(plain.ts).toBe(plain.receivedAt);
  });

  it('accepts NDJSON, reports malformed lines by number and keeps the good ones', async () => {
    const body = [
      JSON.stringify({
        '@timestamp': '2026-11-20T08:00:00Z',
        level: 'error',
        msg: 'upstream timeout',
        status: 504,
        method: 'get',
        path: '/api/orders',
        latency_ms: 30012.5,
        host: 'web-7',
        trace: { id: 'abc' },
      }),
      '{"msg": "broken',
      JSON.stringify({ message: 'cache warmed', level: 'debug', items: 1200 }),
      '42',
    ].join('\n');
    const response = await ingest('ndjson', body, { 'content-type': 'application/x-ndjson' });
    expect(response.status).toBe(202);
    const result = (await response.json()) as { accepted: number; rejected: { line: number }[] };
    expect(result.accepted).toBe(2);
    expect(result.rejected.map((problem) => problem.line)).toEqual([2, 4]);
    await system.drain();

    const { items } = await search('source=ndjson');
    expect(items).toHaveLength(2);
    const timeout = items.find((item) => item.message === 'upstream timeout')!;
    expect(timeout).toMatchObject({
      ts: '2026-11-20T08:00:00.000000Z',
      level: 'error',
      host: 'web-7',
      statusCode: 504,
      method: 'GET',
      path: '/api/orders',
      latencyMs: 30012.5,
      fields: { 'trace.id': 'abc' },
    });
    const detail = (await (
      await fetch(`${system.baseUrl}/api/v1/logs/${timeout.id}`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as LogRecordDetail;
    expect(JSON.parse(detail.raw)).toMatchObject({ msg: 'upstream timeout', trace: { id: 'abc' } });
  });

  it('accepts a JSON array and gzip-compressed bodies', async () => {
    const body = gzipSync(
      JSON.stringify([{ msg: 'zipped one', level: 'notice' }, 'zipped plain line']),
    );
    const response = await ingest('gzipped', body, {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 2, rejected: [] });
    await system.drain();
    const { items } = await search('source=gzipped');
    expect(items.map((item) => [item.message, item.level]).sort()).toEqual([
      ['zipped one', 'notice'],
      ['zipped plain line', 'info'],
    ]);
  });

  it('stores lines from 1970 and 2099 and malformed JSON, never dropping them', async () => {
    const response = await ingest(
      'odd',
      '1970-01-01T00:00:05Z INFO epoch line\n2099-12-31T23:00:00Z INFO future line\n{"level":"error","msg":"cut off\n',
      { 'content-type': 'text/plain' },
    );
    expect(response.status).toBe(202);
    await system.drain();
    // A search without `to` ends after the newest line stamped in the future, which the api
    // re-reads at most every 5 s: the 2099 line shows up within that.
    const { items } = await waitFor(async () => {
      const result = await search('source=odd');
      return result.items.length === 3 ? result : null;
    }, 'the three odd lines to be searchable').then((result) => result!);
    expect(items.map((item) => item.ts)).toEqual(
      expect.arrayContaining(['1970-01-01T00:00:05.000000Z', '2099-12-31T23:00:00.000000Z']),
    );
    const broken = items.find((item) => item.message.startsWith('{"level"'))!;
    expect(broken.parseError).toMatch(/^invalid JSON/);
    expect(broken.level).toBe('error');
  });

  it('cuts an over-long line and flags it', async () => {
    await ingest('long', 'x'.repeat(5000), { 'content-type': 'text/plain' });
    await system.drain();
    const { items } = await search('source=long');
    expect(items[0].message).toHaveLength(1000);
    expect(items[0].parseError).toBe('line truncated from 5000 characters');
  });

  it('filters by level, words and host, and pages with the cursor', async () => {
    const lines = Array.from(
      { length: 30 },
      (_, i) =>
        `2026-11-19T12:00:${String(i).padStart(2, '0')}Z ${i % 3 === 0 ? 'ERROR' : 'INFO'} job ${i} done`,
    );
    await ingest('paging', lines.join('\n'), { 'content-type': 'text/plain' });
    await system.drain();
    const errors = await search('source=paging&level=error&limit=100');
    expect(errors.items).toHaveLength(10);
    // Every word must occur, in any case: only line 21 has both "error" and "21".
    expect((await search('source=paging&q=error%2021')).items.map((item) => item.message)).toEqual([
      lines[21],
    ]);
    expect((await search('source=paging&host=10.9.9.9')).items).toHaveLength(0);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: LogSearchResponse = await search(
        `source=paging&limit=7${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.items.map((item) => item.message));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...lines].reverse());
  });

  it('refuses requests without valid credentials, and a revoked key at once', async () => {
    expect((await fetch(`${system.baseUrl}/api/v1/logs`)).status).toBe(401);
    expect(
      (await ingest('x', 'line', { 'content-type': 'text/plain' }, 'lk_not_a_real_key')).status,
    ).toBe(401);
    const unauthorized = await fetch(`${system.baseUrl}/api/v1/logs`, {
      headers: { authorization: 'Bearer not.a.jwt' },
    });
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });

    const doomed = await system.createApiKey(token, 'to revoke');
    expect((await ingest('x', 'line', { 'content-type': 'text/plain' }, doomed)).status).toBe(202);
    const keys = (await (
      await fetch(`${system.baseUrl}/api/v1/api-keys`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { id: string; name: string }[];
    const id = keys.find((key) => key.name === 'to revoke')!.id;
    const revoked = await fetch(`${system.baseUrl}/api/v1/api-keys/${id}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(revoked.status).toBe(200);
    expect((await ingest('x', 'line', { 'content-type': 'text/plain' }, doomed)).status).toBe(401);
    // An API key cannot mint keys.
    const minted = await fetch(`${system.baseUrl}/api/v1/api-keys`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'nope' }),
    });
    expect(minted.status).toBe(403);
  });

  it('answers bad input with clear 4xx JSON errors', async () => {
    const tooLarge = await ingest('big', 'y'.repeat(2 * 1024 * 1024), {
      'content-type': 'text/plain',
    });
    expect(tooLarge.status).toBe(413);
    const bomb = await ingest('big', gzipSync(Buffer.alloc(5 * 1024 * 1024, 'a')), {
      'content-type': 'text/plain',
      'content-encoding': 'gzip',
    });
    expect(bomb.status).toBe(413);
    expect(((await bomb.json()) as { message: string }).message).toContain(
      'Decompressed body is larger than the limit',
    );
    const notJson = await ingest('bad', '{"a":', { 'content-type': 'application/json' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.stringContaining('not valid JSON'),
    });
    const allBad = await ingest('bad', 'nope\n[]', { 'content-type': 'application/x-ndjson' });
    expect(allBad.status).toBe(400);
    expect(
      (
        await fetch(`${system.baseUrl}/api/v1/logs?cursor=bogus`, {
          headers: { 'x-api-key': apiKey },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await fetch(`${system.baseUrl}/api/v1/logs?from=yesterday`, {
          headers: { 'x-api-key': apiKey },
        })
      ).status,
    ).toBe(400);
    expect(
      (await fetch(`${system.baseUrl}/api/v1/logs/999999999`, { headers: { 'x-api-key': apiKey } }))
        .status,
    ).toBe(404);
    const badSource = await ingest('bad%20source!', 'x', { 'content-type': 'text/plain' });
    expect(badSource.status).toBe(400);
    const login = await fetch(`${system.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'wrong' }),
    });
    expect(login.status).toBe(401);
  });

  it('serves health, metrics, Swagger with every route documented, and the dashboard', async () => {
    expect(await (await fetch(`${system.baseUrl}/health`)).json()).toEqual({
      status: 'ok',
      checks: { postgres: 'up', redis: 'up' },
    });
    const metrics = await (await fetch(`${system.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/lookout_ingest_lines_total\{source="curl-demo"\} 3/);
    expect(metrics).toMatch(/lookout_pipeline_total\{counter="lines_stored"\} \d+/);
    expect(metrics).toMatch(/lookout_queue_jobs\{queue="ingest-raw",state="waiting"\} 0/);

    const openApi = (await (await fetch(`${system.baseUrl}/docs-json`)).json()) as {
      paths: Record<string, Record<string, { responses: object }>>;
    };
    for (const path of [
      '/api/v1/ingest',
      '/api/v1/logs',
      '/api/v1/logs/{id}',
      '/api/v1/auth/login',
      '/api/v1/api-keys',
      '/health',
      '/metrics',
    ]) {
      expect(Object.keys(openApi.paths)).toContain(path);
    }
    for (const operations of Object.values(openApi.paths)) {
      for (const operation of Object.values(operations))
        expect(Object.keys(operation.responses).length).toBeGreaterThan(0);
    }
    const page = await fetch(`${system.baseUrl}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<title>Lookout<\/title>|dashboard is not built/);
  });
});
