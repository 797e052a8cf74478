import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogRecord, LogSearchResponse } from '@app/contracts';
import { Agent } from '../apps/agent/src/agent';
import { createTestEnv, startSystem, waitFor, type TestEnv, type TestSystem } from '@app/testing';

/** The agent shipping to a real Lookout: plain lines, a multi-line event, filters, gzip. */
describe('agent → real api + worker', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let apiKey: string;
  let dir: string;
  let agent: Agent | undefined;

  beforeAll(async () => {
    testEnv = createTestEnv('agent');
    system = await startSystem(testEnv);
    apiKey = await system.createApiKey(await system.login(), 'agent on web-01');
    dir = mkdtempSync(join(tmpdir(), 'lookout-agent-e2e-'));
  });

  afterAll(async () => {
    await agent?.stop();
    await system?.close();
    await testEnv?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ships tailed lines that are stored once, with multi-line events intact', async () => {
    const logFile = join(dir, 'app.log');
    writeFileSync(
      logFile,
      '2026-11-21T09:00:00Z INFO boot\n2026-11-21T09:00:01Z DEBUG noisy health check\n',
    );
    agent = await Agent.start(
      {
        url: system.baseUrl,
        apiKey,
        source: 'web-01',
        files: [
          {
            include: [join(dir, '*.log')],
            exclude: [],
            startAt: 'beginning',
            excludeRegex: /health check/,
            multiline: { pattern: '^\\s', match: 'continuation', maxLines: 50, flushMs: 200 },
          },
        ],
        batch: { maxLines: 100, flushMs: 50 },
        gzip: true,
        stateDir: join(dir, 'state'),
        buffer: { maxBytes: 10 * 2 ** 20 },
        retry: { initialMs: 50, maxMs: 500 },
      },
      {
        log: { info: () => undefined, warn: () => undefined, error: () => undefined },
        tailer: { pollIntervalMs: 20, scanIntervalMs: 100 },
      },
    );
    appendFileSync(
      logFile,
      '2026-11-21T09:00:02Z ERROR failed\n\tat a.b(C.java:1)\n\tat d.e(F.java:2)\n2026-11-21T09:00:03Z INFO done\n',
    );

    const stored = await waitFor(async () => {
      const response = await fetch(
        `${system.baseUrl}/api/v1/logs?from=1970-01-01T00:00:00Z&source=web-01`,
        {
          headers: { 'x-api-key': apiKey },
        },
      );
      const { items } = (await response.json()) as LogSearchResponse;
      return items.length >= 3 ? items : undefined;
    }, 'the agent lines');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { items } = (await (
      await fetch(`${system.baseUrl}/api/v1/logs?from=1970-01-01T00:00:00Z&source=web-01`, {
        headers: { 'x-api-key': apiKey },
      })
    ).json()) as LogSearchResponse;
    expect(items).toHaveLength(3);
    const byLevel = Object.fromEntries((stored as LogRecord[]).map((line) => [line.level, line]));
    expect(byLevel.error.message).toBe(
      '2026-11-21T09:00:02Z ERROR failed\n\tat a.b(C.java:1)\n\tat d.e(F.java:2)',
    );
    expect(byLevel.error.ts).toBe('2026-11-21T09:00:02.000000Z');
    expect(items.map((line) => line.message)).not.toContain(
      '2026-11-21T09:00:01Z DEBUG noisy health check',
    );
  });
});
