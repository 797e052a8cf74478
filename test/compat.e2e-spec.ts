import { gzipSync } from 'node:zlib';
import type { LogRecord, LogSearchResponse } from '@app/contracts';
import { createTestEnv, startSystem, type TestEnv, type TestSystem } from '@app/testing';

interface BulkItemStatus {
  _index: string;
  _id: string | null;
  status: number;
  result?: string;
  error?: { type: string; reason: string };
}
interface BulkResponse {
  took: number;
  errors: boolean;
  items: Record<string, BulkItemStatus>[];
}

/** Shippers that speak Elasticsearch `_bulk` or Loki push, against the real api and worker. */
describe('shipper compatibility: Elasticsearch _bulk and Loki push', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let apiKey: string;

  beforeAll(async () => {
    testEnv = createTestEnv('compat');
    system = await startSystem(testEnv);
    apiKey = await system.createApiKey(await system.login(), 'shipper');
  });

  afterAll(async () => {
    await system?.close();
    await testEnv?.cleanup();
  });

  const search = async (query: string): Promise<LogRecord[]> => {
    const response = await fetch(
      `${system.baseUrl}/api/v1/logs?from=1970-01-01T00:00:00Z&${query}`,
      {
        headers: { 'x-api-key': apiKey },
      },
    );
    expect(response.status).toBe(200);
    return ((await response.json()) as LogSearchResponse).items;
  };
  const bulk = (path: string, body: string | Buffer, headers: Record<string, string>) =>
    fetch(`${system.baseUrl}/api/v1/compat/es${path}`, { method: 'POST', headers, body });
  const push = (body: string | Buffer, headers: Record<string, string> = {}, query = '') =>
    fetch(`${system.baseUrl}/loki/api/v1/push${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey, ...headers },
      body,
    });
  const ndjson = (...lines: unknown[]) =>
    lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n';

  describe('Elasticsearch', () => {
    it('answers the startup probes like Elasticsearch 8', async () => {
      for (const path of ['', '/']) {
        const response = await fetch(`${system.baseUrl}/api/v1/compat/es${path}`, {
          headers: { 'x-api-key': apiKey },
        });
        expect(response.status).toBe(200);
        expect(response.headers.get('x-elastic-product')).toBe('Elasticsearch');
        expect(await response.json()).toMatchObject({
          version: { number: '8.11.0' },
          tagline: 'You Know, for Search',
        });
      }
      const head = await fetch(`${system.baseUrl}/api/v1/compat/es/`, {
        method: 'HEAD',
        headers: { 'x-api-key': apiKey },
      });
      expect(head.status).toBe(200);
      const license = await fetch(`${system.baseUrl}/api/v1/compat/es/_license`, {
        headers: { 'x-api-key': apiKey },
      });
      expect(await license.json()).toMatchObject({ license: { status: 'active' } });
      const health = await fetch(`${system.baseUrl}/api/v1/compat/es/_cluster/health`, {
        headers: { 'x-api-key': apiKey },
      });
      expect(await health.json()).toMatchObject({ status: 'green' });
      const unknown = await fetch(`${system.baseUrl}/api/v1/compat/es/_index_template/x`, {
        headers: { 'x-api-key': apiKey },
      });
      expect(unknown.status).toBe(404);
    });

    it('stores a Filebeat bulk (application/json, create) and refuses a bad document and a delete per item', async () => {
      const body = ndjson(
        { create: { _index: 'filebeat-8.11.0' } },
        {
          '@timestamp': '2026-11-21T10:00:00.250Z',
          message: 'GET /api/orders 502',
          log: { level: 'error', file: { path: '/var/log/app.log' } },
          host: { name: 'web-1' },
          agent: { type: 'filebeat', version: '8.11.0' },
        },
        { create: { _index: 'filebeat-8.11.0' } },
        '{"@timestamp":"2026-11-21T10:00:01Z","message": "cut off',
        { delete: { _index: 'filebeat-8.11.0', _id: 'abc' } },
        { create: { _index: 'filebeat-8.11.0', _id: 'given-id' } },
        { '@timestamp': '2026-11-21T10:00:02Z', message: 'cache warmed', log: { level: 'info' } },
      );
      const response = await bulk('/_bulk?filter_path=errors,items.*.error,items.*.status', body, {
        'content-type': 'application/json; charset=UTF-8',
        authorization: `Bearer ${apiKey}`,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-elastic-product')).toBe('Elasticsearch');
      const result = (await response.json()) as BulkResponse;
      expect(result.errors).toBe(true);
      expect(typeof result.took).toBe('number');
      expect(result.items).toHaveLength(4);
      expect(result.items[0].create).toMatchObject({
        _index: 'filebeat-8.11.0',
        status: 201,
        result: 'created',
      });
      expect(result.items[0].create._id).toMatch(/^[\w-]{20}$/);
      expect(result.items[1].create).toMatchObject({
        status: 400,
        error: { type: 'mapper_parsing_exception', reason: expect.stringContaining('line 4') },
      });
      expect(result.items[2].delete).toMatchObject({
        _id: 'abc',
        status: 400,
        error: { type: 'action_request_validation_exception' },
      });
      expect(result.items[3].create).toMatchObject({ _id: 'given-id', status: 201 });

      await system.drain();
      const items = await search('source=filebeat-8.11.0');
      expect(items.map((item) => item.message).sort()).toEqual([
        'GET /api/orders 502',
        'cache warmed',
      ]);
      expect(items.find((item) => item.message === 'GET /api/orders 502')).toMatchObject({
        ts: '2026-11-21T10:00:00.250000Z',
        level: 'error',
        source: 'filebeat-8.11.0',
        fields: expect.objectContaining({ 'agent.type': 'filebeat' }),
      });
    });

    it('stores a Fluent Bit bulk (x-ndjson, gzip, index with _type, Basic auth with the key as password)', async () => {
      const body = ndjson(
        { index: { _index: 'fluent-bit', _type: '_doc' } },
        {
          '@timestamp': '2026-11-21T11:00:00.000Z',
          log: '2026-11-21T11:00:00Z WARN disk 91% full',
          stream: 'stderr',
          kubernetes: { pod_name: 'api-7d9', namespace_name: 'prod' },
        },
        { index: { _index: 'fluent-bit', _type: '_doc' } },
        [1, 2, 3],
      );
      const response = await bulk('/_bulk', gzipSync(body), {
        'content-type': 'application/x-ndjson',
        'content-encoding': 'gzip',
        authorization: `Basic ${Buffer.from(`fluentbit:${apiKey}`).toString('base64')}`,
      });
      expect(response.status).toBe(200);
      const result = (await response.json()) as BulkResponse;
      expect(result.items.map((item) => item.index.status)).toEqual([201, 400]);
      expect(result.items[1].index.error).toEqual({
        type: 'mapper_parsing_exception',
        reason: 'failed to parse the document on line 4: the document must be a JSON object',
      });
      await system.drain();
      const items = await search('source=fluent-bit');
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({
        ts: '2026-11-21T11:00:00.000000Z',
        fields: expect.objectContaining({ stream: 'stderr', 'kubernetes.namespace_name': 'prod' }),
      });
    });

    it('takes the source from ?source=, else the index in the path', async () => {
      const body = ndjson({ index: {} }, { message: 'from the path' });
      const byPath = await bulk('/app-logs/_bulk', body, {
        'content-type': 'application/x-ndjson',
        authorization: `ApiKey ${Buffer.from(`lookout:${apiKey}`).toString('base64')}`,
      });
      expect(byPath.status).toBe(200);
      expect(((await byPath.json()) as BulkResponse).items[0].index._index).toBe('app-logs');
      const byQuery = await bulk('/app-logs/_bulk?source=chosen', body, {
        'content-type': 'application/x-ndjson',
        'x-api-key': apiKey,
      });
      expect(byQuery.status).toBe(200);
      await system.drain();
      expect(await search('source=app-logs')).toHaveLength(1);
      expect(await search('source=chosen')).toHaveLength(1);
    });

    it('refuses a body it cannot pair, and requests without a valid key', async () => {
      const malformed = await bulk('/_bulk', ndjson('{"index":', { message: 'x' }), {
        'content-type': 'application/json',
        'x-api-key': apiKey,
      });
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toMatchObject({
        statusCode: 400,
        message: expect.stringContaining('Malformed action line 1'),
      });
      const empty = await bulk('/_bulk', '\n', {
        'content-type': 'application/x-ndjson',
        'x-api-key': apiKey,
      });
      expect(empty.status).toBe(400);
      const body = ndjson({ index: {} }, { message: 'x' });
      expect((await bulk('/_bulk', body, { 'content-type': 'application/x-ndjson' })).status).toBe(
        401,
      );
      const wrongPassword = await bulk('/_bulk', body, {
        'content-type': 'application/x-ndjson',
        authorization: `Basic ${Buffer.from('fluentbit:lk_notarealkey').toString('base64')}`,
      });
      expect(wrongPassword.status).toBe(401);
      expect((await fetch(`${system.baseUrl}/api/v1/compat/es/`)).status).toBe(401);
    });
  });

  describe('Loki', () => {
    it('stores two streams with their labels, the entry time as ts, and answers 204', async () => {
      const response = await push(
        JSON.stringify({
          streams: [
            {
              stream: { job: 'payments', host: 'web-1', env: 'prod' },
              values: [
                ['1763719200123456000', 'level=error msg="payment failed" order=7'],
                ['1763719201000000000', '{"level":"warn","msg":"slow","env":"canary"}'],
              ],
            },
            {
              stream: { service_name: 'checkout', instance: '10.0.0.5:9100' },
              values: [['1763719202500000000', 'checkout done', { trace_id: 'abc123' }]],
            },
          ],
        }),
      );
      expect(response.status).toBe(204);
      expect(await response.text()).toBe('');
      await system.drain();

      const payments = await search('source=payments');
      expect(payments).toHaveLength(2);
      const failed = payments.find((item) => item.message.includes('payment failed'))!;
      expect(failed).toMatchObject({
        ts: '2025-11-21T10:00:00.123456Z',
        host: 'web-1',
        level: 'error',
        fields: expect.objectContaining({ job: 'payments', env: 'prod', host: 'web-1' }),
      });
      // The line's own fields win over the labels.
      const slow = payments.find((item) => item.message === 'slow')!;
      expect(slow.fields).toMatchObject({ env: 'canary', job: 'payments' });
      expect(slow.ts).toBe('2025-11-21T10:00:01.000000Z');

      const checkout = await search('source=checkout');
      expect(checkout).toHaveLength(1);
      expect(checkout[0]).toMatchObject({
        ts: '2025-11-21T10:00:02.500000Z',
        host: '10.0.0.5:9100',
        fields: expect.objectContaining({ service_name: 'checkout', trace_id: 'abc123' }),
      });
    });

    it('accepts gzip, Basic auth, ?source= and falls back to "loki" and the client address', async () => {
      const body = gzipSync(
        JSON.stringify({
          streams: [{ stream: { env: 'dev' }, values: [['1763719203000000000', 'zipped line']] }],
        }),
      );
      const response = await fetch(`${system.baseUrl}/loki/api/v1/push`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-encoding': 'gzip',
          authorization: `Basic ${Buffer.from(`fluentbit:${apiKey}`).toString('base64')}`,
        },
        body,
      });
      expect(response.status).toBe(204);
      expect(
        (await push(body, { 'content-encoding': 'gzip' }, '?source=loki-override')).status,
      ).toBe(204);
      await system.drain();
      const [line] = await search('source=loki');
      expect(line).toMatchObject({ message: 'zipped line', host: '127.0.0.1' });
      expect(await search('source=loki-override')).toHaveLength(1);
    });

    it('refuses a bad payload with 400 naming the value, protobuf with 415, and no key with 401', async () => {
      const bad = await push(
        JSON.stringify({
          streams: [
            { stream: { job: 'a' }, values: [['1763719200000000000', 'fine']] },
            { stream: { job: 'b' }, values: [[1763719200000, 'number time']] },
          ],
        }),
      );
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({
        statusCode: 400,
        error: 'Bad Request',
        message: expect.stringContaining('streams[1].values[0][0]'),
      });
      expect((await push(JSON.stringify({ stream: [] }))).status).toBe(400);
      expect((await push('{"streams":')).status).toBe(400);

      const protobuf = await push(Buffer.from([0x0a, 0x10, 0xff]), {
        'content-type': 'application/x-protobuf',
      });
      expect(protobuf.status).toBe(415);
      expect(((await protobuf.json()) as { message: string }).message).toMatch(
        /JSON only.*Promtail/,
      );

      const anonymous = await fetch(`${system.baseUrl}/loki/api/v1/push`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ streams: [] }),
      });
      expect(anonymous.status).toBe(401);
      await system.drain();
      expect(await search('source=a')).toHaveLength(0);
    });
  });

  it('documents the compatibility routes in Swagger', async () => {
    const openApi = (await (await fetch(`${system.baseUrl}/docs-json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(openApi.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/compat/es',
        '/api/v1/compat/es/_bulk',
        '/api/v1/compat/es/{index}/_bulk',
        '/loki/api/v1/push',
      ]),
    );
  });
});
