import type { INestApplicationContext } from '@nestjs/common';
import {
  LIVE_TAIL_NAMESPACE,
  LIVE_TAIL_PATH,
  type LiveTailAck,
  type LiveTailClientEvents,
  type LiveTailServerEvents,
} from '@app/contracts';
import { QueueProducer } from '@app/queue';
import { createTestEnv, waitFor, type TestEnv } from '@app/testing';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createServer, type AddressInfo, type Socket as NetSocket } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import { createWorkerApp } from '../apps/worker/src/create-worker-app';
import { launchApiCluster, startApiCluster, type ApiCluster } from './support/api-cluster';

type TailSocket = Socket<LiveTailServerEvents, LiveTailClientEvents>;

/** A live-tail client that subscribes again after every (re)connection, as the dashboard does. */
class Tail {
  readonly messages: string[] = [];
  connects = 0;
  private subscribedOnConnect = 0;

  constructor(
    readonly socket: TailSocket,
    query: string,
  ) {
    socket.on('connect', () => {
      const connect = ++this.connects;
      socket.emit('subscribe', { query }, (ack: LiveTailAck) => {
        if (ack.ok) this.subscribedOnConnect = connect;
      });
    });
    socket.on('lines', (event, ack) => {
      for (const line of event.lines) this.messages.push(line.message);
      ack();
    });
  }

  /** Connected, and the subscription of this connection acknowledged. */
  get live(): boolean {
    return this.socket.connected && this.subscribedOnConnect === this.connects;
  }

  /** The client's port of its WebSocket's TCP connection (the `ws` package's socket). */
  get localPort(): number {
    const transport = this.socket.io.engine.transport as unknown as { ws: { _socket: NetSocket } };
    return transport.ws._socket.localPort!;
  }

  received(prefix: string): string[] {
    return this.messages.filter((message) => message.startsWith(prefix));
  }
}

interface Answer {
  status: number;
  body: string;
  /** The api process that served the request. */
  pid: number | undefined;
}

/**
 * API_PROCESSES=2: a real primary forks two api processes on one port (Node cluster, the
 * connections dealt in turn); a worker runs in this process. Everything goes through the one port.
 */
describe('scale-out: two api processes on one port (real cluster, real Postgres and Redis)', () => {
  let testEnv: TestEnv;
  let cluster: ApiCluster;
  let worker: INestApplicationContext;
  let token: string;
  let apiKey: string;
  const tails: Tail[] = [];

  /** One request on its own connection, so that the cluster deals it to the next process. */
  const call = (
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: string } = {},
  ): Promise<Answer> => {
    // keep-alive: the connection is still open when the answer is complete, so its owner shows
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    return new Promise<Answer>((resolve, reject) => {
      const request = http.request(
        { host: '127.0.0.1', port: cluster.port, method, path, headers: options.headers, agent },
        (response) => {
          const localPort = request.socket?.localPort;
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              body,
              pid: localPort === undefined ? undefined : cluster.ownerOf(localPort),
            }),
          );
        },
      );
      request.on('error', reject);
      // A connection the cluster cannot deal to any process must fail the test, not hang it.
      request.setTimeout(30_000, () => request.destroy(new Error(`${method} ${path}: no answer`)));
      request.end(options.body);
    }).finally(() => agent.destroy());
  };

  const login = (username: string, password: string) =>
    call('POST', '/api/v1/auth/login', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });

  let postedToSource = 0;
  const post = async (lines: string[]): Promise<Answer> => {
    const answer = await call('POST', '/api/v1/ingest?source=scaleout', {
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'text/plain' },
      body: `${lines.join('\n')}\n`,
    });
    expect(answer.status).toBe(202);
    postedToSource += lines.length;
    return answer;
  };

  const connectTail = (): Promise<Tail> =>
    new Promise((resolve, reject) => {
      const socket: TailSocket = io(`${cluster.baseUrl}${LIVE_TAIL_NAMESPACE}`, {
        path: LIVE_TAIL_PATH,
        transports: ['websocket'],
        forceNew: true,
        auth: { token },
        reconnectionDelay: 200,
        reconnectionDelayMax: 1000,
      });
      const tail = new Tail(socket, 'scaleout');
      tails.push(tail);
      socket.once('connect', () => resolve(tail));
      socket.once('connect_error', reject);
    });

  /** Every batch posted so far is stored (so published), then one more line reaches every tail. */
  let markers = 0;
  const settle = async () => {
    const producer = worker.get(QueueProducer);
    await waitFor(async () => (await producer.pendingJobs()) === 0, 'the queue to drain', 60_000);
    const marker = `scaleout marker ${markers++}`;
    await post([marker]);
    await waitFor(
      async () => tails.every((tail) => tail.messages.includes(marker)),
      `every live-tail client to receive "${marker}"`,
      30_000,
    );
  };

  /** Posts `count` numbered lines in `requests` requests, each on its own connection. */
  const postRound = async (round: string, count: number, requests: number) => {
    const servedBy = new Set<number | undefined>();
    const perRequest = count / requests;
    for (let request = 0; request < requests; request++) {
      const lines = Array.from(
        { length: perRequest },
        (_, i) => `scaleout ${round} line ${String(request * perRequest + i).padStart(4, '0')}`,
      );
      servedBy.add((await post(lines)).pid);
    }
    return {
      servedBy,
      expected: Array.from(
        { length: count },
        (_, i) => `scaleout ${round} line ${String(i).padStart(4, '0')}`,
      ),
    };
  };

  const expectEveryTailGotEachLineOnce = async (round: string, expected: string[]) => {
    await waitFor(
      async () =>
        tails.every(
          (tail) => new Set(tail.received(`scaleout ${round} `)).size === expected.length,
        ),
      `every live-tail client to receive the ${round} lines`,
      30_000,
    );
    await settle();
    for (const tail of tails) expect(tail.received(`scaleout ${round} `).sort()).toEqual(expected);
  };

  beforeAll(async () => {
    testEnv = createTestEnv('scale_out');
    cluster = await startApiCluster(testEnv, 2);
    worker = await createWorkerApp(testEnv.env);
  }, 180_000);

  afterAll(async () => {
    for (const tail of tails) tail.socket.close();
    await worker?.close();
    await cluster?.stop();
    await testEnv?.cleanup();
  }, 60_000);

  it('serves one port from two processes that share sign-in, tokens and the login lockout', async () => {
    expect(cluster.processPids()).toHaveLength(2);
    // Both processes met an empty users table at the same time; only the one whose row went in
    // reports creating `admin` (with a generated password, the one printed is the one that works).
    expect(cluster.output().match(/Created user \\"admin\\"/g)).toHaveLength(1);

    const signIn = await login('admin', testEnv.env.ADMIN_PASSWORD);
    expect(signIn.status).toBe(200);
    token = (JSON.parse(signIn.body) as { accessToken: string }).accessToken;

    // One token, requests dealt to both processes: each accepts it (one signing secret).
    const servedBy = new Set<number | undefined>();
    for (let i = 0; i < 6; i++) {
      const answer = await call('GET', '/api/v1/sources', {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(answer.status).toBe(200);
      servedBy.add(answer.pid);
    }
    expect([...servedBy].sort()).toEqual(cluster.processPids());

    const created = await call('POST', '/api/v1/api-keys', {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'scale-out shipper' }),
    });
    expect(created.status).toBe(201);
    apiKey = (JSON.parse(created.body) as { key: string }).key;

    // LOGIN_MAX_FAILURES_PER_USER=5 failures lock a username: spread over two processes, no process
    // sees five by itself, so the lock shows that the count is shared (Redis).
    const failures: Answer[] = [];
    for (let i = 0; i < 5; i++) failures.push(await login('mallory', `wrong password ${i}`));
    expect(failures.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 429]);
    expect(new Set(failures.map((answer) => answer.pid)).size).toBe(2);
    const locked = await Promise.all([login('mallory', 'another'), login('mallory', 'another')]);
    expect(locked.map((answer) => answer.status)).toEqual([429, 429]);
  });

  it('fans every stored line out exactly once to live-tail clients on both processes', async () => {
    // Connections are dealt in turn: connect until each process holds at least two clients.
    const perProcess = () => {
      const counts = new Map<number | undefined, number>();
      for (const tail of tails) {
        const owner = cluster.ownerOf(tail.localPort);
        counts.set(owner, (counts.get(owner) ?? 0) + 1);
      }
      return counts;
    };
    while (tails.length < 12) {
      await connectTail();
      const counts = perProcess();
      if (cluster.processPids().every((pid) => (counts.get(pid) ?? 0) >= 2)) break;
    }
    const counts = perProcess();
    expect(tails.length).toBeGreaterThanOrEqual(4);
    for (const pid of cluster.processPids()) expect(counts.get(pid)).toBeGreaterThanOrEqual(2);
    await waitFor(async () => tails.every((tail) => tail.live), 'every client to subscribe');

    // The worker publishes stored batches only while someone listens (it looks once a second).
    let warmUps = 0;
    await waitFor(
      async () => {
        await post([`scaleout warm-up ${warmUps++}`]);
        await new Promise((resolve) => setTimeout(resolve, 200));
        return tails.every((tail) => tail.received('scaleout warm-up').length > 0);
      },
      'live tail to deliver to every client',
      30_000,
    );

    const { servedBy, expected } = await postRound('round-1', 200, 8);
    expect([...servedBy].sort()).toEqual(cluster.processPids());
    await expectEveryTailGotEachLineOnce('round-1', expected);

    // /metrics adds up the api processes whichever one answers: the lines accepted by both.
    const scrapes: Answer[] = [];
    while (new Set(scrapes.map((scrape) => scrape.pid)).size < 2 && scrapes.length < 6) {
      scrapes.push(await call('GET', '/metrics'));
    }
    expect(new Set(scrapes.map((scrape) => scrape.pid)).size).toBe(2);
    for (const scrape of scrapes) {
      expect(scrape.status).toBe(200);
      const accepted = /^lookout_ingest_lines_total\{source="scaleout"\} (\d+)$/m.exec(scrape.body);
      expect(Number(accepted?.[1])).toBe(postedToSource);
      expect(scrape.body).toMatch(/^lookout_livetail_clients \d+$/m);
    }
  });

  it('refuses HTTP long-polling, which would need sticky sessions across processes', async () => {
    const handshake = await call('GET', `${LIVE_TAIL_PATH}/?EIO=4&transport=polling`);
    expect(handshake.status).toBe(400);
    expect(JSON.parse(handshake.body)).toMatchObject({ message: 'Transport unknown' });

    const polling = io(`${cluster.baseUrl}${LIVE_TAIL_NAMESPACE}`, {
      path: LIVE_TAIL_PATH,
      transports: ['polling'],
      forceNew: true,
      reconnection: false,
      auth: { token },
    });
    const refused = await new Promise<Error>((resolve) => polling.once('connect_error', resolve));
    polling.close();
    expect(refused).toBeInstanceOf(Error);
  });

  it('tails a file source from one api process of the host only (each line read once)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lookout-scale-out-'));
    try {
      const lines = Array.from({ length: 1000 }, (_, i) => `scaleout-file line ${i}`);
      const file = join(dir, 'app.log');
      writeFileSync(file, lines.join('\n') + '\n');
      const created = await call('POST', '/api/v1/sources', {
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'scaleout-files',
          type: 'file',
          settings: { include: [join(dir, '*.log')], startAt: 'beginning' },
        }),
      });
      expect(created.status).toBe(201);
      // The file keeps growing past the other process's next look at the sources (every 10 s), so
      // without the host lock both would be reading it at the same time.
      for (let round = 0; round < 24; round++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const more = Array.from(
          { length: 100 },
          (_, i) => `scaleout-file line ${lines.length + i}`,
        );
        appendFileSync(file, more.join('\n') + '\n');
        lines.push(...more);
      }
      const db = new Client({ connectionString: testEnv.databaseUrl });
      await db.connect();
      try {
        const stored = async () =>
          Number(
            (await db.query(`SELECT count(*) AS n FROM logs WHERE source = 'scaleout-files'`))
              .rows[0].n,
          );
        await waitFor(async () => (await stored()) === lines.length, 'the file lines', 60_000);
      } finally {
        await db.end();
      }
      // Stored once would hold anyway (byte ranges); read once is what the host lock adds: the
      // lines accepted, summed over both processes, are the file's lines, not twice as many.
      const scrape = await call('GET', '/metrics');
      const accepted = /^lookout_ingest_lines_total\{source="scaleout-files"\} (\d+)$/m.exec(
        scrape.body,
      );
      expect(Number(accepted?.[1])).toBe(lines.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps serving when an api process is killed: clients reconnect, the primary replaces it', async () => {
    const [victim, survivor] = cluster.processPids();
    const orphaned = tails.filter((tail) => cluster.ownerOf(tail.localPort) === victim);
    expect(orphaned.length).toBeGreaterThanOrEqual(2);
    const connectsBefore = new Map(tails.map((tail) => [tail, tail.connects]));

    process.kill(victim, 'SIGKILL');
    // Node's cluster deals a connection that arrives in the instant between a crash and the
    // primary noticing it to the dead process, where it hangs: wait until the primary knows.
    await waitFor(
      async () => cluster.output().includes(`(pid ${victim}) exited (SIGKILL)`),
      'the primary to notice',
    );

    // The port keeps answering while the replacement starts.
    for (let i = 0; i < 4; i++) {
      const answer = await call('GET', '/api/v1/sources', {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(answer.status).toBe(200);
    }

    // Its clients reconnect through the port, to a live process, and subscribe again.
    await waitFor(
      async () =>
        tails.every((tail) => tail.live) &&
        orphaned.every((tail) => tail.connects > connectsBefore.get(tail)!),
      'the killed process’s clients to reconnect',
      60_000,
    );
    const live = cluster.processPids();
    for (const tail of tails) expect(live).toContain(cluster.ownerOf(tail.localPort));
    for (const tail of tails.filter((tail) => !orphaned.includes(tail))) {
      expect(tail.connects).toBe(connectsBefore.get(tail)); // untouched
    }

    // The primary starts a new process in its place, which serves the port too.
    await waitFor(
      async () => /api process \d+ is back/.test(cluster.output()),
      'a replacement process',
      120_000,
    );
    const replacement = cluster.processPids().find((pid) => pid !== survivor);
    expect(replacement).toBeDefined();
    expect(replacement).not.toBe(victim);
    const servedBy = new Set<number | undefined>();
    for (let i = 0; i < 6 && servedBy.size < 2; i++) {
      const answer = await call('GET', '/api/v1/sources', {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(answer.status).toBe(200);
      servedBy.add(answer.pid);
    }
    expect([...servedBy].sort()).toEqual([survivor, replacement].sort());

    const round = await postRound('round-2', 200, 8);
    await expectEveryTailGotEachLineOnce('round-2', round.expected);
  }, 300_000);

  it('stops every api process gracefully on SIGTERM to the primary', async () => {
    const pids = cluster.processPids();
    expect(pids).toHaveLength(2);
    for (const tail of tails) tail.socket.close();
    expect(await cluster.stop()).toBe(0);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    expect(cluster.output()).toContain('stopping 2 api processes');
    expect(cluster.output()).not.toContain('did not stop in time');
  });

  it('stops the whole start when its api processes cannot start (port taken)', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const { port } = squatter.address() as AddressInfo;
    try {
      const launched = launchApiCluster(testEnv, 2, { PORT: String(port) });
      expect(await launched.exited).toBe(1);
      expect(launched.output()).toMatch(/EADDRINUSE/);
      expect(launched.output()).toMatch(
        /api process \d exited while starting \(code 1\); stopping/,
      );
    } finally {
      squatter.close();
    }
  });
});
