import type { LogSearchResponse } from '@app/contracts';
import { PartitionManager } from '@app/storage';
import { createTestEnv, startSystem, type TestEnv, type TestSystem } from '@app/testing';

/** The search API with the query language: results, highlights, errors, paging both ways, ranges. */
describe('search with the query language (real api + worker)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let key: string;
  // Two days ago at noon: always more than 24 hours back, whatever the time of day.
  const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    testEnv = createTestEnv('search');
    system = await startSystem(testEnv);
    key = await system.createApiKey(await system.login());
    const now = Date.now();
    const lines = [
      {
        ts: new Date(now - 60_000).toISOString(),
        level: 'error',
        msg: 'GET /api/orders/42 failed: upstream timeout',
        status: 504,
        path: '/api/orders/42',
        method: 'GET',
        latency_ms: 30000,
        host: 'web-1',
        user: 'ann',
      },
      {
        ts: new Date(now - 50_000).toISOString(),
        level: 'info',
        msg: 'GET /api/users ok Mozilla/5.0',
        status: 200,
        path: '/api/users',
        method: 'GET',
        latency_ms: 12,
        host: 'web-2',
        user: 'bob',
      },
      {
        ts: new Date(now - 40_000).toISOString(),
        level: 'warning',
        msg: 'POST /login rejected',
        status: 401,
        path: '/login',
        method: 'POST',
        latency_ms: 80,
        host: 'web-1',
        user: 'ann',
      },
      {
        ts: `${twoDaysAgo}T12:00:00Z`,
        level: 'error',
        msg: 'disk quota exceeded on /var',
        host: 'db-1',
      },
    ];
    const response = await fetch(`${system.baseUrl}/api/v1/ingest?source=search`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/x-ndjson' },
      body: lines.map((line) => JSON.stringify(line)).join('\n'),
    });
    expect(response.status).toBe(202);
    await system.drain();
  });

  afterAll(async () => {
    await system?.close();
    await testEnv?.cleanup();
  });

  const search = async (
    params: string,
  ): Promise<{
    status: number;
    body: LogSearchResponse & { message?: string; position?: number };
  }> => {
    const response = await fetch(`${system.baseUrl}/api/v1/logs?source=search&${params}`, {
      headers: { 'x-api-key': key },
    });
    return {
      status: response.status,
      body: (await response.json()) as LogSearchResponse & { message?: string; position?: number },
    };
  };
  const messages = async (q: string, extra = '') =>
    (await search(`q=${encodeURIComponent(q)}${extra}`)).body.items.map((item) => item.message);

  it('finds words inside paths and user agents, with highlight spans', async () => {
    const { body } = await search('q=orders');
    expect(body.items.map((item) => item.message)).toEqual([
      'GET /api/orders/42 failed: upstream timeout',
    ]);
    const [start, end] = body.items[0].highlights![0];
    expect(body.items[0].message.slice(start, end)).toBe('orders');
    expect(await messages('mozilla')).toEqual(['GET /api/users ok Mozilla/5.0']);
  });

  it('combines fields, comparisons, wildcards, negation and parentheses', async () => {
    expect(await messages('status:>=500')).toEqual(['GET /api/orders/42 failed: upstream timeout']);
    expect(await messages('path:/api/* -host:web-2')).toEqual([
      'GET /api/orders/42 failed: upstream timeout',
    ]);
    expect(await messages('fields.user:ann AND (method:post OR latency_ms:>1000)')).toEqual([
      'POST /login rejected',
      'GET /api/orders/42 failed: upstream timeout',
    ]);
    expect(await messages('level:>=warning -"upstream timeout"')).toEqual(['POST /login rejected']);
  });

  it('answers a bad query with 400, the position and what was expected', async () => {
    const { status, body } = await search(
      `q=${encodeURIComponent('status:>=500 AND (path:/api/*')}`,
    );
    expect(status).toBe(400);
    expect(body.message).toContain('expected ")"');
    expect(body.position).toBe(29);
  });

  it('searches the last 24 hours by default, and older days when asked (through their text index)', async () => {
    expect(await messages('quota')).toEqual([]);
    const built = await system.worker!.get(PartitionManager).buildTextIndexes();
    expect(built).toContain(`logs_p${twoDaysAgo.replace(/-/g, '')}`);
    expect(await messages('quota', `&from=${twoDaysAgo}T00:00:00Z`)).toEqual([
      'disk quota exceeded on /var',
    ]);
  });

  it('pages to older lines and back to newer ones', async () => {
    const first = await search('limit=1');
    expect(first.body.items).toHaveLength(1);
    expect(first.body.prevCursor).toBeNull();
    const second = await search(`limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items[0].message).toBe('GET /api/users ok Mozilla/5.0');
    const back = await search(`limit=1&direction=newer&cursor=${second.body.prevCursor}`);
    expect(back.body.items.map((item) => item.id)).toEqual(first.body.items.map((item) => item.id));
  });
});
