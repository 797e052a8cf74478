import type { LogRecord, LogSearchResponse } from '@app/contracts';
import { createTestEnv, startSystem, waitFor, type TestEnv, type TestSystem } from '@app/testing';

const ACCESS = (ip: string, path: string, status: number, extra = '') =>
  `${ip} - - [21/Nov/2026:10:00:00 +0100] "GET ${path} HTTP/1.1" ${status} 512 "-" "curl/8.5.0"${extra}`;

/** Pipelines per source: managed over the API, applied by the running worker, tried in the playground. */
describe('parsing pipelines and the playground (real api + worker)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let token: string;

  beforeAll(async () => {
    testEnv = createTestEnv('pipelines');
    system = await startSystem(testEnv);
    token = await system.login();
  });

  afterAll(async () => {
    await system?.close();
    await testEnv?.cleanup();
  });

  const api = (path: string, method = 'GET', body?: unknown) =>
    fetch(`${system.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const ingest = (source: string, lines: string[]) =>
    fetch(`${system.baseUrl}/api/v1/ingest?source=${source}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: lines.join('\n'),
    });
  const stored = async (source: string): Promise<LogRecord[]> =>
    (
      (await (
        await api(`/api/v1/logs?from=1970-01-01T00:00:00Z&source=${source}&limit=1000`)
      ).json()) as LogSearchResponse
    ).items;

  it('auto-detects formats for a source without a pipeline', async () => {
    await ingest('web-auto', [ACCESS('10.1.1.1', '/api/orders?id=7', 503)]);
    await system.drain();
    const [line] = await stored('web-auto');
    expect(line).toMatchObject({
      statusCode: 503,
      method: 'GET',
      path: '/api/orders?id=7',
      level: 'error',
    });
    expect(line.ts).toBe('2026-11-21T09:00:00.000000Z');
  });

  it('applies a source pipeline: parse, drop, redact, tag — and picks up changes without a restart', async () => {
    const created = await api('/api/v1/pipelines', 'POST', {
      name: 'web',
      source: 'web',
      steps: [
        { type: 'parse', format: 'nginx-access' },
        { type: 'drop', when: { field: 'path', equals: '/health' } },
        { type: 'redact', detectors: ['email', 'credit-card'] },
        { type: 'tag', tags: ['edge'] },
      ],
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    await new Promise((resolve) => setTimeout(resolve, 300)); // the worker hears the change on Redis
    await ingest('web', [
      ACCESS('10.0.0.1', '/health', 200),
      ACCESS('10.0.0.2', '/signup?email=ann@example.com&card=4111111111111111', 200),
    ]);
    await system.drain();
    const lines = await stored('web');
    expect(lines).toHaveLength(1);
    expect(lines[0].message).not.toContain('ann@example.com');
    expect(lines[0].message).not.toContain('4111111111111111');
    expect(lines[0].fields.tags).toEqual(['edge']);
    const detail = (await (await api(`/api/v1/logs/${lines[0].id}`)).json()) as { raw: string };
    expect(detail.raw).not.toContain('4111111111111111');

    // A change is applied by the running worker: stop dropping health checks.
    expect(
      (
        await api(`/api/v1/pipelines/${id}`, 'PATCH', {
          steps: [{ type: 'parse', format: 'nginx-access' }],
        })
      ).status,
    ).toBe(200);
    await waitFor(
      async () => {
        await ingest('web', [ACCESS('10.0.0.3', '/health', 200)]);
        await system.drain();
        return (await stored('web')).some((line) => line.path === '/health');
      },
      'the updated pipeline to be used',
      10_000,
      300,
    );
  });

  it('reads zone-less timestamps in the source time zone (auto-detected format, no steps)', async () => {
    const created = await api('/api/v1/pipelines', 'POST', {
      name: 'berlin',
      source: 'berlin',
      steps: [],
      timeZone: '+05:30',
    });
    expect(created.status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await ingest('berlin', [
      '2026-07-01T12:00:00 INFO summer time',
      '2026-01-15T12:00:00 INFO winter time',
    ]);
    await system.drain();
    const byMessage = Object.fromEntries(
      (await stored('berlin')).map((line) => [line.message.slice(20), line.ts]),
    );
    expect(byMessage).toEqual({
      'INFO summer time': '2026-07-01T06:30:00.000000Z',
      'INFO winter time': '2026-01-15T06:30:00.000000Z',
    });
    const badZone = await api('/api/v1/pipelines', 'POST', {
      name: 'mars',
      source: 'mars',
      steps: [],
      timeZone: 'Mars/Olympus',
    });
    expect(badZone.status).toBe(400);
  });

  it('refuses unsafe or invalid patterns with a 400 that names the construct', async () => {
    const refused = await api('/api/v1/pipelines', 'POST', {
      name: 'bad',
      source: 'bad',
      steps: [{ type: 'parse', pattern: '(a+)\\1' }],
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toMatch(
      /steps\[0\]\.pattern: backreference "\\1" at position \d+ is not supported/,
    );
    const lookahead = await api('/api/v1/parsers/test', 'POST', {
      lines: ['x'],
      pattern: 'a(?=b)',
    });
    expect(lookahead.status).toBe(400);
    expect(((await lookahead.json()) as { message: string }).message).toContain('lookahead "(?="');
  });

  it('playground: per line fields, what matched, errors and time', async () => {
    expect(
      (await api('/api/v1/patterns', 'PUT', { name: 'ORDER_ID', pattern: 'ORD-[0-9]{6}' })).status,
    ).toBe(200);
    const response = await api('/api/v1/parsers/test', 'POST', {
      lines: ['order ORD-123456 paid in 120ms', 'no order here'],
      pattern: 'order %{ORDER_ID:order.id} paid in %{NUMBER:latency_ms:int}ms',
    });
    expect(response.status).toBe(200);
    const { results } = (await response.json()) as {
      results: {
        matched: string;
        kept: boolean;
        result: Record<string, unknown> | null;
        errors: string[];
        micros: number;
      }[];
    };
    expect(results[0]).toMatchObject({
      kept: true,
      result: { latencyMs: 120, fields: { 'order.id': 'ORD-123456' } },
    });
    expect(results[0].matched).toContain('pattern');
    expect(results[1].result?.parseError).toBeTruthy();
    expect(results.every((result) => result.micros >= 0)).toBe(true);

    const formats = (await (await api('/api/v1/parsers/formats')).json()) as string[];
    expect(formats).toEqual(
      expect.arrayContaining(['nginx-access', 'apache-error', 'syslog', 'json', 'logfmt']),
    );
  });
});
