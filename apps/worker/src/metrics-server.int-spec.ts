import { Logger } from '@nestjs/common';
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { LookoutConfig } from '@app/config';
import { Counter, Histogram } from 'prom-client';
import { MetricsServer } from './metrics-server.service';

/** A port nothing listens on right now (the kernel's pick, released at once). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function serverOn(port: number): MetricsServer {
  return new MetricsServer({ workerMetricsPort: port, host: '127.0.0.1' } as LookoutConfig);
}

/** The worker's metrics endpoint on loopback, scraped over real HTTP. */
describe('MetricsServer (worker /metrics)', () => {
  // Stand-ins for what the worker's libs register in the global registry.
  const batches = new Counter({
    name: 'lookout_worker_test_batches_total',
    help: 'a worker metric',
  });
  const writeSeconds = new Histogram({
    name: 'lookout_worker_test_write_seconds',
    help: 'a worker histogram',
    buckets: [0.01, 0.1, 1],
  });
  new Counter({ name: 'lookout_test_api_view_total', help: 'an api-side metric' });

  let port: number;
  let server: MetricsServer;

  beforeAll(async () => {
    port = await freePort();
    server = serverOn(port);
    await server.onApplicationBootstrap();
  });

  afterAll(() => server.onApplicationShutdown());

  const get = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${port}${path}`, init);

  it('serves the lookout_worker_ metrics and process metrics in the text format', async () => {
    batches.inc(3);
    writeSeconds.observe(0.05);
    writeSeconds.observe(0.5);

    const response = await get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const body = await response.text();
    expect(body).toContain('lookout_worker_test_batches_total 3\n');
    expect(body).toContain('lookout_worker_test_write_seconds_bucket{le="0.1"} 1\n');
    expect(body).toContain('lookout_worker_test_write_seconds_count 2\n');
    expect(body).toMatch(/^lookout_worker_process_cpu_user_seconds_total \d/m);
    expect(body).toMatch(/^lookout_worker_nodejs_heap_size_used_bytes \d/m);
    // Only the worker's own metrics: not the api's view that the libs also register.
    expect(body).not.toContain('lookout_test_api_view_total');
    expect(body.match(/^# TYPE lookout_worker_test_batches_total /gm)).toHaveLength(1);
  });

  it('answers liveness, 404 for other paths and 405 for other methods', async () => {
    const live = await get('/health/live');
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok', uptimeSeconds: expect.any(Number) });

    const missing = await get('/api/v1/logs');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'No route /api/v1/logs on the worker',
    });

    const posted = await get('/metrics', { method: 'POST', body: 'x' });
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET, HEAD');

    const withQuery = await get('/metrics?debug=1');
    expect(withQuery.status).toBe(200);
  });

  it('warns and goes on without an endpoint when the port is taken', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const second = serverOn(port);
    try {
      await second.onApplicationBootstrap();
      expect(second.port).toBeUndefined();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0][0]).toContain(`WORKER_METRICS_PORT=${port}`);
      expect(warn.mock.calls[0][0]).toContain('EADDRINUSE');
      // The first one still answers.
      expect((await get('/metrics')).status).toBe(200);
      await second.onApplicationShutdown();
    } finally {
      warn.mockRestore();
    }
  });

  it('listens nowhere with port 0', async () => {
    const off = serverOn(0);
    await off.onApplicationBootstrap();
    expect(off.port).toBeUndefined();
    await off.onApplicationShutdown();
  });

  it('closes on shutdown even with a scraper keeping its connection open', async () => {
    const other = serverOn(await freePort());
    await other.onApplicationBootstrap();
    const otherPort = other.port!;
    const agent = new Agent({ keepAlive: true });
    const status = await new Promise<number | undefined>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port: otherPort, path: '/metrics', agent }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode));
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(200);

    await other.onApplicationShutdown();
    expect(other.port).toBeUndefined();
    await expect(fetch(`http://127.0.0.1:${otherPort}/metrics`)).rejects.toThrow();
    agent.destroy();
  });
});
