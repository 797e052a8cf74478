import * as net from 'node:net';
import { BackpressureService, SyslogServer } from '@app/ingestion';
import { createWorkerApp } from '../apps/worker/src/create-worker-app';
import { createTestEnv, startSystem, waitFor, type TestEnv, type TestSystem } from '@app/testing';

/**
 * With no worker running, the queue fills past its high-water mark: HTTP answers 429 with
 * Retry-After and syslog TCP stops being read. Once a worker drains the queue, everything that was
 * accepted is stored and sources resume.
 */
describe('backpressure (real api, worker started late)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let apiKey: string;

  beforeAll(async () => {
    testEnv = createTestEnv('backpressure', {
      QUEUE_HIGH_WATER_LINES: '1000',
      BATCH_MAX_LINES: '500',
    });
    system = await startSystem(testEnv, { worker: false });
    apiKey = await system.createApiKey(await system.login());
  });

  afterAll(async () => {
    await system?.close();
    await testEnv?.cleanup();
  });

  const post = (body: string) =>
    fetch(`${system.baseUrl}/api/v1/ingest?source=pressure`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'text/plain' },
      body,
    });
  const lines = (from: number, count: number) =>
    Array.from({ length: count }, (_, i) => `pressure line ${from + i}`).join('\n');

  it('answers 429 with Retry-After above the high-water mark and stores everything accepted once drained', async () => {
    expect((await post(lines(0, 1500))).status).toBe(202);
    const pressure = system.api.get(BackpressureService);
    await waitFor(async () => {
      await pressure.sample();
      return pressure.overHighWater;
    }, 'the queue to pass its high-water mark');

    const refused = await post(lines(1500, 10));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as { message: string }).message).toContain('retry after');

    // Syslog TCP: the connection is not read while the queue is full.
    const socket = net.connect(system.api.get(SyslogServer).ports().tcp, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('<14>1 2026-11-21T10:00:00Z h app - - - held back by pressure\n');

    const worker = await createWorkerApp(testEnv.env);
    try {
      await waitFor(async () => {
        await pressure.sample();
        return !pressure.overHighWater;
      }, 'the queue to drain under the mark');
      expect((await post(lines(1510, 10))).status).toBe(202);
      socket.end();
      await system.drain();
      const stored = async (source: string) => {
        const response = await fetch(
          `${system.baseUrl}/api/v1/logs?from=1970-01-01T00:00:00Z&source=${source}&limit=1000`,
          {
            headers: { 'x-api-key': apiKey },
          },
        );
        return (await response.json()) as { items: unknown[]; nextCursor: string | null };
      };
      await waitFor(
        async () => (await stored('syslog')).items.length === 1,
        'the held-back syslog line',
      );
      let total = 0;
      const messages = new Set<string>();
      let cursor: string | null = null;
      do {
        const response = await fetch(
          `${system.baseUrl}/api/v1/logs?from=1970-01-01T00:00:00Z&source=pressure&limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
          { headers: { 'x-api-key': apiKey } },
        );
        const page = (await response.json()) as {
          items: { message: string }[];
          nextCursor: string | null;
        };
        total += page.items.length;
        page.items.forEach((item) => messages.add(item.message));
        cursor = page.nextCursor;
      } while (cursor);
      // Ids of these lines come from several connections' sequence caches and differ in length:
      // this also checks that keyset paging orders ids as numbers.
      expect(total).toBe(1510);
      expect(messages.size).toBe(1510);
    } finally {
      await worker.close();
    }
  });
});
