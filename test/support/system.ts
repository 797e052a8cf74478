import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { createWorkerApp } from '../../apps/worker/src/create-worker-app';
import { IngestService } from '@app/ingestion';
import { QueueProducer } from '@app/queue';
import { waitFor, type TestEnv } from './test-env';

/** The api (listening on a free port) and a worker, booted in this process on a test env. */
export interface TestSystem {
  baseUrl: string;
  api: NestFastifyApplication;
  worker: INestApplicationContext | undefined;
  /** Resolves when every accepted line is stored (batcher empty, no job waiting or running). */
  drain(timeoutMs?: number): Promise<void>;
  login(username?: string, password?: string): Promise<string>;
  createApiKey(token: string, name?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startSystem(
  testEnv: TestEnv,
  options: { worker?: boolean } = {},
): Promise<TestSystem> {
  const api = await createApiApp(testEnv.env);
  await api.listen(0, '127.0.0.1');
  const worker = options.worker === false ? undefined : await createWorkerApp(testEnv.env);
  const address = api.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const baseUrl = `http://127.0.0.1:${port}`;
  const producer = api.get(QueueProducer);
  const ingest = api.get(IngestService);

  const system: TestSystem = {
    baseUrl,
    api,
    worker,
    async drain(timeoutMs = 30_000) {
      await waitFor(
        async () => ingest.pendingLines === 0 && (await producer.pendingJobs()) === 0,
        'queues to drain',
        timeoutMs,
      );
    },
    async login(username = 'admin', password = testEnv.env.ADMIN_PASSWORD) {
      const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      if (response.status !== 200)
        throw new Error(`login failed: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { accessToken: string }).accessToken;
    },
    async createApiKey(token, name = 'test key') {
      const response = await fetch(`${baseUrl}/api/v1/api-keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ name }),
      });
      if (response.status !== 201) throw new Error(`API key creation failed: ${response.status}`);
      return ((await response.json()) as { key: string }).key;
    },
    async close() {
      await closeWithin('the worker', worker, CLOSE_BOUND_MS);
      await closeWithin('the api', api, CLOSE_BOUND_MS);
    },
  };
  return system;
}

/** How long a test waits for one app to close before it says so and goes on. */
const CLOSE_BOUND_MS = 20_000;

/**
 * Closes an app, but never hangs a test file's teardown on it: past `boundMs` it logs which app is
 * still closing (a shutdown that does not finish is a bug to look at, not a reason to fail every
 * later hook) and goes on; the test's database and Redis keys are removed right after anyway.
 */
async function closeWithin(
  name: string,
  app: { close(): Promise<void> } | undefined,
  boundMs: number,
): Promise<void> {
  if (!app) return;
  let timer: NodeJS.Timeout | undefined;
  const started = Date.now();
  const closed = app.close().then(() => 'closed' as const);
  const outcome = await Promise.race([
    closed,
    new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), boundMs))),
  ]);
  clearTimeout(timer);
  if (outcome === 'late') {
    console.warn(`${name} did not close within ${boundMs} ms; going on without it`);
    closed.then(
      () => console.warn(`${name} closed after ${Date.now() - started} ms`),
      () => undefined,
    );
  }
}
