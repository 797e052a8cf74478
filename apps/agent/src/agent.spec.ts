import * as fs from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Agent } from './agent';
import type { AgentConfig } from './agent-config';
import type { AgentLog } from './log';

async function waitFor(probe: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const numbered = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => `line ${from + index}`);

interface Received {
  status: number;
  at: number;
  authorization?: string;
  contentType?: string;
  encoding?: string;
  source: string | null;
  /** Plain lines, or the `message` (else the whole JSON text) of NDJSON lines. */
  lines: string[];
  body: string;
}

type Answer = { status: number; headers?: Record<string, string>; body?: string };

/** A stand-in for the ingest endpoint that records what it is sent. */
class IngestServer {
  readonly requests: Received[] = [];
  answer: (request: Received) => Answer = () => ({ status: 202, body: '{"accepted":1}' });
  private server: Server | undefined;

  constructor(public port = 0) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Lines of the requests that were answered 202, in arrival order. */
  get delivered(): string[] {
    return this.requests.filter((r) => r.status === 202).flatMap((r) => r.lines);
  }

  async listen(): Promise<this> {
    this.server = createServer((request, response) => {
      void this.record(request).then((received) => {
        const answer = this.answer(received);
        received.status = answer.status;
        this.requests.push(received);
        response.writeHead(answer.status, answer.headers);
        response.end(answer.body ?? '');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  private async record(request: IncomingMessage): Promise<Received> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const encoding = request.headers['content-encoding'];
    const body = (encoding === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
    const contentType = request.headers['content-type'];
    const lines = body
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        if (contentType !== 'application/x-ndjson') return line;
        const { message } = JSON.parse(line) as { message?: string };
        return message ?? line;
      });
    return {
      status: 0,
      at: Date.now(),
      authorization: request.headers.authorization,
      contentType,
      encoding,
      source: new URL(request.url!, 'http://x').searchParams.get('source'),
      lines,
      body,
    };
  }
}

let dir: string;
let logDir: string;
let server: IngestServer;
let messages: string[];
const agents: Agent[] = [];

const log: AgentLog = {
  info: (message) => messages.push(`info: ${message}`),
  warn: (message) => messages.push(`warn: ${message}`),
  error: (message) => messages.push(`error: ${message}`),
};

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lookout-agent-'));
  logDir = path.join(dir, 'logs');
  await fs.mkdir(logDir);
  messages = [];
  server = await new IngestServer().listen();
});

afterEach(async () => {
  await Promise.all(agents.splice(0).map((agent) => agent.stop()));
  await server.close();
  await fs.rm(dir, { recursive: true, force: true });
});

function config(overrides: Partial<AgentConfig> = {}): AgentConfig {
  return {
    url: server.url,
    apiKey: 'secret-key',
    source: 'web-01',
    files: [{ include: [path.join(logDir, '*.log')], exclude: [], startAt: 'beginning' }],
    batch: { maxLines: 100, flushMs: 50 },
    gzip: true,
    stateDir: path.join(dir, 'state'),
    buffer: { maxBytes: 10 * 2 ** 20 },
    retry: { initialMs: 10, maxMs: 50 },
    ...overrides,
  };
}

async function startAgent(overrides: Partial<AgentConfig> = {}): Promise<Agent> {
  const agent = await Agent.start(config(overrides), {
    log,
    tailer: { pollIntervalMs: 20, scanIntervalMs: 100, rotatedGraceMs: 200 },
  });
  agents.push(agent);
  return agent;
}

const append = (lines: string[], name = 'app.log') =>
  fs.appendFile(path.join(logDir, name), lines.map((line) => `${line}\n`).join(''));
const untilDelivered = (count: number) =>
  waitFor(() => server.delivered.length >= count, `${count} delivered lines`);

describe('agent', () => {
  it('ships lines gzip-compressed as text/plain, with the API key and the source', async () => {
    await append(numbered(1, 3));
    await startAgent();
    await untilDelivered(3);
    await append(numbered(4, 5));
    await untilDelivered(5);

    expect(server.delivered).toEqual(numbered(1, 5));
    for (const request of server.requests) {
      expect(request).toMatchObject({
        authorization: 'Bearer secret-key',
        contentType: 'text/plain',
        encoding: 'gzip',
        source: 'web-01',
      });
    }
  });

  it('sends only what the filters keep, yet saves offsets past the lines it skipped', async () => {
    const lines = ['ERROR one', 'INFO two', 'ERROR healthcheck', '', 'WARN three', 'INFO four'];
    await append(lines);
    const group = {
      include: [path.join(logDir, '*.log')],
      exclude: [],
      startAt: 'beginning' as const,
      includeRegex: /ERROR|WARN/,
      excludeRegex: /healthcheck/,
    };
    const agent = await startAgent({ files: [group] });
    await untilDelivered(2);
    await agent.stop();

    expect(server.delivered).toEqual(['ERROR one', 'WARN three']);
    const saved = JSON.parse(await fs.readFile(path.join(dir, 'state', 'offsets.json'), 'utf8'));
    const size = (await fs.stat(path.join(logDir, 'app.log'))).size;
    expect(saved.checkpoints).toEqual([expect.objectContaining({ offset: size })]);
  });

  it('sends multi-line events as NDJSON with their file, JSON lines as they are', async () => {
    await append(['ERROR boom', '  at a()', '  at b()', '{"level":"info","msg":"json"}', 'done']);
    const group = {
      include: [path.join(logDir, '*.log')],
      exclude: [],
      startAt: 'beginning' as const,
      multiline: { pattern: '^\\s', match: 'continuation' as const, maxLines: 50, flushMs: 50 },
    };
    await startAgent({ files: [group] });
    await untilDelivered(3);

    const ndjson = server.requests.find((r) => r.contentType === 'application/x-ndjson')!;
    expect(
      ndjson.body
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line)),
    ).toEqual([
      { message: 'ERROR boom\n  at a()\n  at b()', 'log.file.path': path.join(logDir, 'app.log') },
      { level: 'info', msg: 'json' },
      ...(ndjson.lines.length === 3
        ? [{ message: 'done', 'log.file.path': path.join(logDir, 'app.log') }]
        : []),
    ]);
    expect(server.delivered.join('\n')).toContain('ERROR boom\n  at a()\n  at b()');
  });

  it('retries 503 answers with backoff and delivers the lines once', async () => {
    let failures = 0;
    server.answer = () => (failures++ < 2 ? { status: 503, body: 'busy' } : { status: 202 });
    await append(numbered(1, 10));
    await startAgent();
    await untilDelivered(10);
    await new Promise((resolve) => setTimeout(resolve, 200)); // time for a wrong duplicate

    expect(server.requests.map((r) => r.status)).toEqual([503, 503, 202]);
    expect(server.delivered).toEqual(numbered(1, 10));
  });

  it('waits as long as a 429 answer asks in Retry-After', async () => {
    let limited = false;
    server.answer = () =>
      limited
        ? { status: 202 }
        : ((limited = true), { status: 429, headers: { 'retry-after': '1' } });
    await append(numbered(1, 2));
    await startAgent();
    await untilDelivered(2);
    const [first, second] = server.requests;
    expect(second.at - first.at).toBeGreaterThanOrEqual(900);
  });

  it('halves a batch the server finds too large (413)', async () => {
    server.answer = (request) => (request.lines.length > 3 ? { status: 413 } : { status: 202 });
    await append(numbered(1, 10));
    await startAgent();
    await untilDelivered(10);
    expect(server.delivered).toEqual(numbered(1, 10));
  });

  it('stops with the server message when the API key is refused, and loses nothing', async () => {
    server.answer = () => ({
      status: 401,
      body: JSON.stringify({ statusCode: 401, error: 'Unauthorized', message: 'Invalid API key' }),
    });
    await append(numbered(1, 3));
    const agent = await startAgent({ apiKey: 'wrong' });
    const failure = await agent.failed;
    expect(failure.message).toContain('Invalid API key');
    await agent.stop();

    server.answer = () => ({ status: 202 });
    await startAgent();
    await untilDelivered(3);
    expect(server.delivered).toEqual(numbered(1, 3));
  });

  it('buffers on disk while the server is down, bounded, and sends oldest first when it is back', async () => {
    const port = server.port;
    await server.close();
    // Lines that do not compress away, so the buffer fills.
    const lines = numbered(1, 200).map((line) => `${line} ${Math.random().toString(36).repeat(3)}`);
    await append(lines);
    const maxBytes = 3000;
    const agent = await startAgent({
      batch: { maxLines: 10, flushMs: 20 },
      buffer: { maxBytes },
    });
    await waitFor(() => agent.counts.buffered === 200, 'all lines buffered');
    const onDisk = await fs.readdir(path.join(dir, 'state', 'buffer'));
    const bytes = await Promise.all(
      onDisk.map(async (name) => (await fs.stat(path.join(dir, 'state', 'buffer', name))).size),
    );
    expect(bytes.reduce((sum, size) => sum + size, 0)).toBeLessThanOrEqual(maxBytes);
    expect(agent.counts.dropped).toBeGreaterThan(0);
    expect(messages.some((m) => m.startsWith('warn: dropped'))).toBe(true);

    server = await new IngestServer(port).listen();
    await waitFor(
      () => server.delivered.length + agent.counts.dropped === 200,
      'the buffer to be sent',
    );
    const delivered = server.delivered;
    expect(new Set(delivered).size).toBe(delivered.length);
    // In file order: the batch in flight first, then the newest ones that were kept.
    const positions = delivered.map((line) => lines.indexOf(line));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(positions.slice(0, 10)).toEqual(numbered(0, 9).map((_, index) => index));
    expect(positions.at(-1)).toBe(199);
  });

  it('resumes after a restart from saved offsets and the disk buffer, without loss or duplicate', async () => {
    await append(numbered(1, 20));
    const first = await startAgent();
    await untilDelivered(20);
    await first.stop();
    await append(numbered(21, 30));

    // Down: the second run buffers what it reads.
    const port = server.port;
    const before = server.delivered;
    await server.close();
    const second = await startAgent();
    await waitFor(() => second.counts.buffered === 10, 'lines 21-30 buffered');
    await second.stop();
    await append(numbered(31, 40));

    server = await new IngestServer(port).listen();
    await startAgent({
      files: [{ include: [path.join(logDir, '*.log')], exclude: [], startAt: 'end' }],
    });
    await untilDelivered(20);
    await new Promise((resolve) => setTimeout(resolve, 200)); // time for a wrong duplicate
    expect([...before, ...server.delivered]).toEqual(numbered(1, 40));
  });
});
