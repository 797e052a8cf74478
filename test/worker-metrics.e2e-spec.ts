import type { INestApplicationContext } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { createServer } from 'node:http';
import { Client } from 'pg';
import { createTestEnv, startSystem, type TestEnv, type TestSystem } from '@app/testing';
import { createWorkerApp } from '../apps/worker/src/create-worker-app';
import { MetricsServer } from '../apps/worker/src/metrics-server.service';

/** A port nothing listens on right now (the kernel's pick, released at once). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Prometheus text → value by series (`name{labels}` exactly as written). */
function parseMetrics(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    series.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return series;
}

/**
 * The worker's own /metrics: real api and workers, HTTP ingest, Postgres and Redis. What the
 * worker reports per batch matches what Postgres holds; a worker whose port is taken keeps working.
 */
describe('worker /metrics (api + workers, real Postgres and Redis)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let apiKey: string;
  let metricsPort: number;
  let first: INestApplicationContext | undefined;
  let database: Client;

  beforeAll(async () => {
    metricsPort = await freePort();
    // Small batches, so one request makes several of them.
    testEnv = createTestEnv('worker_metrics', {
      BATCH_MAX_LINES: '40',
      WORKER_METRICS_PORT: String(metricsPort),
    });
    // Workers are started here, each with its own environment.
    system = await startSystem(testEnv, { worker: false });
    apiKey = await system.createApiKey(await system.login());
    first = await createWorkerApp(testEnv.env);
    database = new Client({ connectionString: testEnv.databaseUrl });
    await database.connect();
  });

  afterAll(async () => {
    await database?.end();
    await first?.close();
    await system?.close();
    await testEnv?.cleanup();
  });

  const ingest = async (source: string, count: number) => {
    const body = Array.from({ length: count }, (_, i) => `${source} line ${i}`).join('\n');
    const response = await fetch(`${system.baseUrl}/api/v1/ingest?source=${source}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'text/plain' },
      body,
    });
    expect(response.status).toBe(202);
  };
  const scrape = async () => {
    const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(response.status).toBe(200);
    return parseMetrics(await response.text());
  };
  const stored = async () => {
    const { rows } = await database.query<{ batches: string; lines: string }>(
      `SELECT (SELECT count(*) FROM ingest_batches) AS batches, (SELECT count(*) FROM logs) AS lines`,
    );
    return { batches: Number(rows[0].batches), lines: Number(rows[0].lines) };
  };

  it('reports every stored batch: write and parse time, lines, outcome, as Postgres holds them', async () => {
    expect(first!.get(MetricsServer).port).toBe(metricsPort);
    await ingest('metrics-a', 300);
    await ingest('metrics-b', 45);
    await system.drain();

    const { batches, lines } = await stored();
    expect(lines).toBe(345);
    expect(batches).toBeGreaterThanOrEqual(Math.ceil(345 / 40));
    const metrics = await scrape();
    expect(metrics.get('lookout_worker_batch_write_seconds_count')).toBe(batches);
    expect(metrics.get('lookout_worker_batch_write_seconds_bucket{le="+Inf"}')).toBe(batches);
    expect(metrics.get('lookout_worker_batch_write_seconds_sum')).toBeGreaterThan(0);
    expect(metrics.get('lookout_worker_batch_parse_seconds_count')).toBe(batches);
    expect(metrics.get('lookout_worker_batch_lines_count')).toBe(batches);
    expect(metrics.get('lookout_worker_batch_lines_sum')).toBe(lines);
    expect(metrics.get('lookout_worker_batches_total{outcome="stored"}')).toBe(batches);
    expect(metrics.get('lookout_worker_batches_total{outcome="duplicate"}')).toBe(0);
    expect(metrics.get('lookout_worker_batches_total{outcome="failed"}')).toBe(0);
    // The process's own metrics, under the worker's prefix.
    expect(metrics.get('lookout_worker_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(metrics.has('lookout_worker_nodejs_eventloop_lag_p99_seconds')).toBe(true);
  });

  it('a second worker on the same port warns, runs without the endpoint and stores', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    let second: INestApplicationContext | undefined;
    try {
      second = await createWorkerApp(testEnv.env);
      expect(second.get(MetricsServer).port).toBeUndefined();
      const warnings = warn.mock.calls
        .map(([message]) => String(message))
        .filter((message) => message.includes('WORKER_METRICS_PORT'));
      expect(warnings).toEqual([expect.stringContaining(`WORKER_METRICS_PORT=${metricsPort}`)]);

      // With the first worker gone (and its endpoint closed), the second one stores alone.
      await first!.close();
      first = undefined;
      await expect(fetch(`http://127.0.0.1:${metricsPort}/metrics`)).rejects.toThrow();
      const before = await stored();
      await ingest('metrics-c', 90);
      await system.drain();
      const after = await stored();
      expect(after.lines).toBe(before.lines + 90);
      expect(after.batches).toBeGreaterThan(before.batches);
    } finally {
      warn.mockRestore();
      await second?.close();
    }
  });
});
