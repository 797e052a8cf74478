import { performance } from 'node:perf_hooks';
import { JwtService } from '@nestjs/jwt';
import {
  LIVE_TAIL_NAMESPACE,
  LIVE_TAIL_PATH,
  type LiveTailAck,
  type LiveTailClientEvents,
  type LiveTailErrorEvent,
  type LiveTailLine,
  type LiveTailServerEvents,
  type LiveTailSkippedEvent,
  type LiveTailSubscribeRequest,
} from '@app/contracts';
import { DEFAULT_LIVE_TAIL_LIMITS, LiveTailGateway, LiveTailHub } from '@app/livetail';
import { createTestEnv, startSystem, waitFor, type TestEnv, type TestSystem } from '@app/testing';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';

type TailSocket = Socket<LiveTailServerEvents, LiveTailClientEvents>;

/** A live-tail client that records everything it receives, in order. */
class Tail {
  readonly lines: LiveTailLine[] = [];
  readonly skips: LiveTailSkippedEvent[] = [];
  readonly errors: LiveTailErrorEvent[] = [];
  /** Every event in arrival order: a line's message, or `<skipped n reason>`. */
  readonly stream: string[] = [];
  /** performance.now() at which each line arrived, by message. */
  readonly arrivals = new Map<string, number>();
  messages = 0;

  constructor(readonly socket: TailSocket) {
    socket.on('lines', (event, ack) => {
      const now = performance.now();
      this.messages++;
      for (const line of event.lines) {
        this.lines.push(line);
        this.stream.push(line.message);
        this.arrivals.set(line.message, now);
      }
      ack();
    });
    socket.on('skipped', (event) => {
      this.skips.push(event);
      this.stream.push(`<skipped ${event.count} ${event.reason}>`);
    });
    socket.on('error', (event) => this.errors.push(event));
  }

  subscribe(request: LiveTailSubscribeRequest): Promise<LiveTailAck> {
    return new Promise((resolve) => this.socket.emit('subscribe', request, resolve));
  }

  command(name: 'pause' | 'resume' | 'unsubscribe'): Promise<LiveTailAck> {
    return new Promise((resolve) => this.socket.emit(name, resolve));
  }

  /** The engine.io transport's WebSocket (the `ws` package in Node). */
  get webSocket(): { pause(): void; resume(): void } {
    return (this.socket.io.engine.transport as unknown as { ws: { pause(): void; resume(): void } })
      .ws;
  }

  skippedFor(reason: LiveTailSkippedEvent['reason']): number {
    return this.skips
      .filter((skip) => skip.reason === reason)
      .reduce((sum, skip) => sum + skip.count, 0);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const iso = () => new Date().toISOString();

/** Live tail: stored batches → Redis pub/sub → socket.io gateway → client, with api + worker. */
describe('live tail over socket.io (api + worker, real Postgres and Redis)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let token: string;
  let apiKey: string;
  let probe: Tail;
  const open: Tail[] = [];

  const connect = (
    options: Partial<ManagerOptions & SocketOptions> = { auth: { token } },
  ): Promise<Tail> =>
    new Promise((resolve, reject) => {
      const socket: TailSocket = io(`${system.baseUrl}${LIVE_TAIL_NAMESPACE}`, {
        path: LIVE_TAIL_PATH,
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        ...options,
      });
      const tail = new Tail(socket);
      socket.once('connect', () => {
        open.push(tail);
        resolve(tail);
      });
      socket.once('connect_error', (error) => {
        socket.close();
        reject(error);
      });
    });

  const post = async (lines: string[], source = 'livetail') => {
    const response = await fetch(`${system.baseUrl}/api/v1/ingest?source=${source}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'text/plain' },
      body: `${lines.join('\n')}\n`,
    });
    expect(response.status).toBe(202);
  };

  /**
   * Everything posted so far has reached every client: queues drained (so every batch was
   * published), then one more batch seen by the probe (Redis delivers one publisher's messages in
   * order), then a moment for the other sockets.
   */
  let settles = 0;
  const settle = async () => {
    await system.drain();
    const seen = probe.lines.length;
    await post([`livetailprobe settle ${settles++}`]);
    await waitFor(async () => probe.lines.length > seen, 'the probe to see its line');
    await sleep(150);
  };

  beforeAll(async () => {
    testEnv = createTestEnv('livetail');
    system = await startSystem(testEnv);
    token = await system.login();
    apiKey = await system.createApiKey(token, 'livetail shipper');
    // The worker publishes only while someone subscribes, and asks at most once a second:
    // keep a probe connected for the whole file and wait until its lines arrive.
    probe = await connect();
    expect(await probe.subscribe({ query: 'livetailprobe' })).toEqual({ ok: true });
    await waitFor(
      async () => {
        if (probe.lines.length > 0) return true;
        await post([`livetailprobe warm-up ${iso()}`]);
        await sleep(200);
        return probe.lines.length > 0;
      },
      'live tail to start delivering',
      20_000,
    );
  });

  afterEach(() => {
    for (const tail of open.splice(0)) if (tail !== probe) tail.socket.close();
    open.push(probe);
  });

  afterAll(async () => {
    for (const tail of open) tail.socket.close();
    await system?.close();
    await testEnv?.cleanup();
  });

  it('sends only the lines matching the query, with highlight spans', async () => {
    const tail = await connect();
    expect(await tail.subscribe({ query: 'payment failed' })).toEqual({ ok: true });
    await post([
      `${iso()} ERROR Payment failed for order 7`,
      `${iso()} INFO payment succeeded for order 8`,
      `${iso()} WARN user alice logged in`,
      `${iso()} ERROR retry FAILED, payment queued`,
    ]);
    await settle();

    expect(tail.lines).toHaveLength(2);
    for (const line of tail.lines) {
      const lower = line.message.toLowerCase();
      const spans = ['payment', 'failed']
        .map((word): [number, number] => [lower.indexOf(word), lower.indexOf(word) + word.length])
        .sort((a, b) => a[0] - b[0]);
      expect(line.highlights).toEqual(spans);
      expect(line).toMatchObject({ level: 'error', source: 'livetail', parseError: null });
      expect(line.id).toMatch(/^\d+$/);
    }
    expect(tail.lines.map((line) => line.message.slice(25)).sort()).toEqual([
      'ERROR Payment failed for order 7',
      'ERROR retry FAILED, payment queued',
    ]);
    expect(tail.skips).toEqual([]);
  });

  it('filters by level and stops on unsubscribe', async () => {
    const tail = await connect();
    expect(await tail.subscribe({ query: 'diskcheck', levels: ['error', 'critical'] })).toEqual({
      ok: true,
    });
    await post([`${iso()} ERROR diskcheck failed on /var`, `${iso()} WARN diskcheck 91% full`]);
    await settle();
    expect(tail.lines.map((line) => line.level)).toEqual(['error']);

    expect(await tail.command('unsubscribe')).toEqual({ ok: true });
    await post([`${iso()} ERROR diskcheck failed again`]);
    await settle();
    expect(tail.lines).toHaveLength(1);
  });

  it('skips while paused, buffering nothing, and reports the count on resume', async () => {
    const tail = await connect();
    await tail.subscribe({ query: 'pausetest' });
    expect(await tail.command('pause')).toEqual({ ok: true });
    await post(['pausetest 1', 'pausetest 2', 'other 1', 'pausetest 3']);
    await post(['pausetest 4', 'other 2', 'pausetest 5', 'other 3']);
    await settle();
    expect(tail.lines).toHaveLength(0);

    const stats = system.api.get(LiveTailHub).client(tail.socket.id!)!.stats();
    expect(stats).toMatchObject({ paused: true, skippedPaused: 5, unackedLines: 0 });

    expect(await tail.command('resume')).toEqual({ ok: true });
    // `skipped` is emitted before the acknowledgement of `resume`, on the same socket.
    expect(tail.skips).toEqual([{ count: 5, reason: 'paused' }]);
    await post(['pausetest 6', 'pausetest 7']);
    await settle();
    expect(tail.stream).toEqual(['<skipped 5 paused>', 'pausetest 6', 'pausetest 7']);
  });

  it('refuses connections without valid credentials, saying why', async () => {
    await expect(connect({ auth: {} })).rejects.toThrow(/Missing credentials/);
    await expect(connect({ auth: { token: 'not-a-token' } })).rejects.toThrow(
      /Invalid access token/,
    );
    await expect(connect({ auth: { token: 'lk_not_a_key' } })).rejects.toThrow(
      /Invalid or revoked API key/,
    );
    const [, payload] = token.split('.');
    const forged = token.replace(payload, Buffer.from('{"sub":"x"}').toString('base64url'));
    await expect(connect({ auth: { token: forged } })).rejects.toThrow(/Invalid access token/);

    // Accepted: an API key in `auth`, a JWT in the Authorization header.
    const byKey = await connect({ auth: { token: apiKey } });
    const byHeader = await connect({
      auth: {},
      extraHeaders: { authorization: `Bearer ${token}` },
    });
    expect(byKey.socket.connected && byHeader.socket.connected).toBe(true);
  });

  it('disconnects a client when its access token expires', async () => {
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as {
      sub: string;
      username: string;
      role: string;
      sid: string;
    };
    const jwt = system.api.get(JwtService, { strict: false });
    const shortLived = jwt.sign(
      { sub: claims.sub, username: claims.username, role: claims.role, sid: claims.sid },
      { expiresIn: 2 },
    );
    const tail = await connect({ auth: { token: shortLived } });
    const disconnected = new Promise<string>((resolve) => tail.socket.once('disconnect', resolve));
    expect(await disconnected).toBe('io server disconnect');
    expect(tail.errors).toEqual([expect.objectContaining({ code: 'token_expired' })]);
    await expect(connect({ auth: { token: shortLived } })).rejects.toThrow(/expired/);
  });

  it('answers an invalid query with an error and keeps the previous subscription', async () => {
    const tail = await connect();
    expect(await tail.subscribe({ query: 'keepme' })).toEqual({ ok: true });

    const refused = await tail.subscribe({ query: 'keepme "unterminated' });
    expect(refused.ok).toBe(false);
    const error = (refused as { error: LiveTailErrorEvent }).error;
    expect(error.code).toBe('invalid_query');
    expect(error.message).not.toBe('');
    expect(typeof error.position).toBe('number');
    expect(Array.isArray(error.expected)).toBe(true);
    expect(tail.errors).toEqual([error]);

    const badLevels = await tail.subscribe({ query: 'x', levels: ['loud' as never] });
    expect(badLevels).toMatchObject({ ok: false, error: { code: 'invalid_request' } });

    await post(['keepme still subscribed', 'unterminated and unrelated']);
    await settle();
    expect(tail.stream).toEqual(['keepme still subscribed']);
    console.log(`live tail invalid query error: ${JSON.stringify(error)}`);
  });

  it('drops lines for a client that stops reading, within bounded buffers, and says how many', async () => {
    const limits = DEFAULT_LIVE_TAIL_LIMITS;
    const fast = await connect();
    const slow = await connect();
    await fast.subscribe({ query: 'slowtest' });
    await slow.subscribe({ query: 'slowtest' });
    // The slow client stops reading its TCP socket: nothing it is sent gets processed or acked.
    slow.webSocket.pause();

    const total = 30_000;
    const chunk = 5000;
    for (let start = 0; start < total; start += chunk) {
      await post(
        Array.from(
          { length: chunk },
          (_, i) => `slowtest ${start + i} ${'x'.repeat(100)} ${start + i}`,
        ),
      );
    }
    await waitFor(
      async () => fast.lines.length >= total,
      'the fast client to get every line',
      60_000,
    );
    await settle();

    const hub = system.api.get(LiveTailHub);
    const stats = hub.client(slow.socket.id!)!.stats();
    expect(stats.dropping).toBe(true);
    expect(stats.skippedSlow).toBeGreaterThan(0);
    expect(stats.linesSent + stats.skippedSlow).toBe(total);
    expect(stats.peakUnackedLines).toBeLessThanOrEqual(limits.maxUnackedLines);
    expect(stats.peakUnackedBytes).toBeLessThanOrEqual(limits.maxUnackedBytes);

    // What the server really holds for that socket: engine.io's queue and ws's unsent bytes.
    const serverSocket = system.api.get(LiveTailGateway).server.sockets.get(slow.socket.id!)!;
    const conn = serverSocket.conn as unknown as {
      writeBuffer: { data?: unknown }[];
      transport: { socket?: { bufferedAmount?: number } };
    };
    const queued = conn.writeBuffer.reduce(
      (sum, packet) => sum + (typeof packet.data === 'string' ? packet.data.length : 0),
      0,
    );
    const unsent = conn.transport.socket?.bufferedAmount ?? 0;
    expect(queued + unsent).toBeLessThanOrEqual(limits.maxUnackedBytes * 1.1);
    console.log(
      `slow client: ${stats.linesSent} lines sent (${(stats.peakUnackedBytes / 1024 / 1024).toFixed(2)} MiB estimated, ` +
        `peak ${stats.peakUnackedLines} lines unacked), ${stats.skippedSlow} dropped; ` +
        `server-side buffers meanwhile: engine.io queue ${queued} B, ws unsent ${unsent} B; ` +
        `fast client got all ${fast.lines.length}, skips ${JSON.stringify(fast.skips)}`,
    );
    expect(fast.skips).toEqual([]);

    // It reads again: gets what was in flight, then the marker.
    slow.webSocket.resume();
    await waitFor(
      async () => slow.lines.length + slow.skippedFor('slow client') >= total,
      'the slow client to catch up',
      30_000,
    );
    expect(slow.lines).toHaveLength(stats.linesSent);
    expect(slow.skips).toEqual([{ count: stats.skippedSlow, reason: 'slow client' }]);
    expect(slow.stream.at(-1)).toBe(`<skipped ${stats.skippedSlow} slow client>`);
    // The lines it got are the first ones, in order, with none missing before the gap.
    const numbers = slow.lines.map((line) => Number(line.message.split(' ')[1]));
    expect(new Set(numbers).size).toBe(numbers.length);

    // And it is served normally again.
    await post(['slowtest after the gap']);
    await settle();
    expect(slow.stream.at(-1)).toBe('slowtest after the gap');
  });

  it('measures ingest → client latency for lines posted one by one', async () => {
    const tail = await connect();
    await tail.subscribe({ query: 'latencyprobe' });
    const count = 200;
    const sentAt: number[] = [];
    for (let i = 0; i < count; i++) {
      sentAt.push(performance.now());
      await post([`latencyprobe ${i}`]);
    }
    await waitFor(async () => tail.arrivals.size >= count, 'every latency line', 30_000);
    const delays = sentAt
      .map((at, i) => tail.arrivals.get(`latencyprobe ${i}`)! - at)
      .sort((a, b) => a - b);
    const pick = (q: number) => delays[Math.min(delays.length - 1, Math.floor(q * delays.length))];
    console.log(
      `live tail latency, HTTP POST → socket.io client, ${count} lines one by one: ` +
        `p50 ${pick(0.5).toFixed(1)} ms, p95 ${pick(0.95).toFixed(1)} ms, max ${delays.at(-1)!.toFixed(1)} ms ` +
        `(${tail.messages} messages)`,
    );
    expect(delays).toHaveLength(count);
  });

  it('exposes its metrics', async () => {
    const text = await (await fetch(`${system.baseUrl}/metrics`)).text();
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN);
    expect(value(/^lookout_livetail_clients (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^lookout_livetail_lines_sent_total (\d+)/m)).toBeGreaterThan(30_000);
    expect(value(/^lookout_livetail_lines_skipped_total\{reason="paused"\} (\d+)/m)).toBe(5);
    expect(
      value(/^lookout_livetail_lines_skipped_total\{reason="slow_client"\} (\d+)/m),
    ).toBeGreaterThan(0);
    expect(text).toMatch(/^lookout_livetail_delay_ms_count \d+/m);
  });
});
