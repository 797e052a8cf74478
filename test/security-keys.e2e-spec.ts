import {
  LIVE_TAIL_NAMESPACE,
  LIVE_TAIL_PATH,
  type LiveTailAck,
  type LiveTailClientEvents,
  type LiveTailErrorEvent,
  type LiveTailLine,
  type LiveTailServerEvents,
  type LogSearchResponse,
} from '@app/contracts';
import { LiveTailGateway } from '@app/livetail';
import { createTestEnv, startSystem, waitFor, type TestEnv, type TestSystem } from '@app/testing';
import { io, type Socket } from 'socket.io-client';

type TailSocket = Socket<LiveTailServerEvents, LiveTailClientEvents>;

interface Tail {
  socket: TailSocket;
  lines: LiveTailLine[];
  errors: LiveTailErrorEvent[];
  disconnected: Promise<string>;
}

interface ApiKeyBody {
  id: string;
  key: string;
  scopes: string[];
  source: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** API key scopes and source restriction over HTTP and the live-tail WebSocket (api + worker). */
describe('API key scopes and source restriction (real api + worker)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let admin: string;
  const open: TailSocket[] = [];

  const request = (
    method: string,
    path: string,
    credential: string,
    body?: string,
    contentType = 'application/json',
  ) =>
    fetch(`${system.baseUrl}${path}`, {
      method,
      headers: {
        ...(credential.startsWith('lk_')
          ? { 'x-api-key': credential }
          : { authorization: `Bearer ${credential}` }),
        ...(body === undefined ? {} : { 'content-type': contentType }),
      },
      body,
    });

  const createKey = async (body: Record<string, unknown>): Promise<ApiKeyBody> => {
    const response = await request('POST', '/api/v1/api-keys', admin, JSON.stringify(body));
    expect(response.status).toBe(201);
    return (await response.json()) as ApiKeyBody;
  };

  const ingest = (credential: string, lines: string[], query = '') =>
    request('POST', `/api/v1/ingest${query}`, credential, lines.join('\n'), 'text/plain');

  const search = async (credential: string, query: string): Promise<LogSearchResponse> => {
    const response = await request('GET', `/api/v1/logs?limit=1000&${query}`, credential);
    expect(response.status).toBe(200);
    return (await response.json()) as LogSearchResponse;
  };

  const connect = (token: string): Promise<Tail> =>
    new Promise((resolve, reject) => {
      const socket: TailSocket = io(`${system.baseUrl}${LIVE_TAIL_NAMESPACE}`, {
        path: LIVE_TAIL_PATH,
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        auth: { token },
      });
      const tail: Tail = {
        socket,
        lines: [],
        errors: [],
        disconnected: new Promise((done) => socket.once('disconnect', done)),
      };
      socket.on('lines', (event, ack) => {
        tail.lines.push(...event.lines);
        ack();
      });
      socket.on('error', (event) => tail.errors.push(event));
      socket.once('connect', () => {
        open.push(socket);
        resolve(tail);
      });
      socket.once('connect_error', (error) => {
        socket.close();
        reject(error);
      });
    });

  const subscribe = (tail: Tail, query: string) =>
    new Promise<LiveTailAck>((resolve) => tail.socket.emit('subscribe', { query }, resolve));

  beforeAll(async () => {
    testEnv = createTestEnv('security_keys');
    system = await startSystem(testEnv);
    admin = await system.login();
  });

  afterAll(async () => {
    for (const socket of open) socket.close();
    await system?.close();
    await testEnv?.cleanup();
  });

  it('gives a key ingest and read by default, and notes its last use', async () => {
    const key = await createKey({ name: 'default' });
    expect(key.scopes).toEqual(['ingest', 'read']);
    expect(key.source).toBeNull();
    expect(key.lastUsedAt).toBeNull();
    expect((await ingest(key.key, ['default key line'], '?source=defaults')).status).toBe(202);
    await system.drain();
    expect((await search(key.key, 'source=defaults')).items).toHaveLength(1);
    const listed = await waitFor(async () => {
      const response = await request('GET', '/api/v1/api-keys', admin);
      const keys = (await response.json()) as ApiKeyBody[];
      const found = keys.find((entry) => entry.id === key.id);
      return found?.lastUsedAt ? found : null;
    }, 'last use to be written');
    expect(listed).not.toHaveProperty('key');
    expect(Date.parse(String(listed?.lastUsedAt))).toBeGreaterThan(Date.now() - 60_000);
  });

  it('lets an ingest-only key send logs and nothing else', async () => {
    const key = await createKey({ name: 'shipper', scopes: ['ingest'] });
    expect((await ingest(key.key, ['shipped line'], '?source=shipper')).status).toBe(202);
    expect((await request('GET', '/api/v1/compat/es', key.key)).status).toBe(200);
    const bulk = `{"index":{"_index":"shipper"}}\n{"message":"bulk line"}\n`;
    expect(
      (await request('POST', '/api/v1/compat/es/_bulk', key.key, bulk, 'application/x-ndjson'))
        .status,
    ).toBe(200);
    for (const path of ['/api/v1/logs', '/api/v1/sources', '/api/v1/saved-searches']) {
      const response = await request('GET', path, key.key);
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    }
    await expect(connect(key.key)).rejects.toMatchObject({
      message: expect.stringMatching(/read scope/),
      data: { code: 'forbidden' },
    });
  });

  it('lets a read-only key read and tail, but not send', async () => {
    const key = await createKey({ name: 'reader', scopes: ['read'] });
    expect((await ingest(key.key, ['nope'])).status).toBe(403);
    const bulk = `{"index":{}}\n{"message":"nope"}\n`;
    expect(
      (await request('POST', '/api/v1/compat/es/_bulk', key.key, bulk, 'application/x-ndjson'))
        .status,
    ).toBe(403);
    expect(
      (await request('POST', '/loki/api/v1/push', key.key, JSON.stringify({ streams: [] }))).status,
    ).toBe(403);
    expect((await request('GET', '/api/v1/logs', key.key)).status).toBe(200);
    expect((await request('POST', '/api/v1/sources', key.key, '{}')).status).toBe(403);
    const tail = await connect(key.key);
    expect(tail.socket.connected).toBe(true);
  });

  it('lets an admin-scoped key act as an admin (and says so in the audit log)', async () => {
    const key = await createKey({ name: 'automation', scopes: ['admin'] });
    expect((await request('GET', '/api/v1/users', key.key)).status).toBe(200);
    const created = await request(
      'POST',
      '/api/v1/users',
      key.key,
      JSON.stringify({ username: 'made-by-key', password: 'made-by-key-pw', role: 'viewer' }),
    );
    expect(created.status).toBe(201);
    expect((await ingest(key.key, ['admin key line'], '?source=automation')).status).toBe(202);
    const audit = await request('GET', '/api/v1/audit?entityType=user', admin);
    const entries = (await audit.json()) as { actor: { kind: string; name: string } }[];
    expect(entries[0].actor).toMatchObject({ kind: 'api-key', name: 'automation' });
  });

  describe('a key restricted to one source', () => {
    let restricted: ApiKeyBody;
    let other: string;

    beforeAll(async () => {
      restricted = await createKey({ name: 'billing only', source: 'billing' });
      expect(restricted).toMatchObject({ scopes: ['ingest', 'read'], source: 'billing' });
      other = (await createKey({ name: 'unrestricted' })).key;
      expect((await ingest(other, ['secret payroll line'], '?source=payroll')).status).toBe(202);
    });

    it('ingests only as its source, on every ingest route', async () => {
      expect((await ingest(restricted.key, ['plain billing line'])).status).toBe(202);
      expect((await ingest(restricted.key, ['explicit'], '?source=billing')).status).toBe(202);
      const refused = await ingest(restricted.key, ['smuggled'], '?source=payroll');
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ message: expect.stringMatching(/billing/) });

      // _bulk: the action's _index would name the source; the key's source wins.
      const bulk = `{"index":{"_index":"payroll"}}\n{"message":"bulk into payroll?"}\n`;
      const bulkReply = await request(
        'POST',
        '/api/v1/compat/es/_bulk',
        restricted.key,
        bulk,
        'application/x-ndjson',
      );
      expect(bulkReply.status).toBe(200);
      expect(
        (
          await request(
            'POST',
            '/api/v1/compat/es/payroll/_bulk?source=payroll',
            restricted.key,
            bulk,
            'application/x-ndjson',
          )
        ).status,
      ).toBe(403);
      // Loki: the job label would name the source; the key's source wins.
      const push = JSON.stringify({
        streams: [
          { stream: { job: 'payroll' }, values: [[`${Date.now()}000000`, 'loki into payroll?']] },
        ],
      });
      expect((await request('POST', '/loki/api/v1/push', restricted.key, push)).status).toBe(204);
      // Uploads name their source in the form: not for restricted keys.
      expect((await request('POST', '/api/v1/uploads', restricted.key, '{}')).status).toBe(403);
      expect((await request('GET', '/api/v1/compat/es', restricted.key)).status).toBe(200);

      await system.drain();
      const stored = await search(other, 'q=billing OR payroll OR explicit OR bulk OR loki');
      const bySource = (source: string) =>
        stored.items
          .filter((item) => item.source === source)
          .map((item) => item.message)
          .sort();
      expect(bySource('billing')).toEqual(
        ['bulk into payroll?', 'explicit', 'loki into payroll?', 'plain billing line'].sort(),
      );
      expect(bySource('payroll')).toEqual(['secret payroll line']);
    });

    it('reads only its source, and is refused where it cannot be kept to it', async () => {
      const own = await search(restricted.key, '');
      expect(own.items.length).toBeGreaterThan(0);
      expect(new Set(own.items.map((item) => item.source))).toEqual(new Set(['billing']));
      const sneaky = await search(restricted.key, `q=${encodeURIComponent('source:payroll')}`);
      expect(sneaky.items).toEqual([]);
      expect((await request('GET', '/api/v1/logs?source=payroll', restricted.key)).status).toBe(
        403,
      );
      expect(
        (await request('GET', '/api/v1/logs?source=billing&source=payroll', restricted.key)).status,
      ).toBe(403);
      const payroll = await search(other, 'source=payroll');
      for (const path of [
        `/api/v1/logs/${payroll.items[0].id}`,
        '/api/v1/logs/histogram',
        '/api/v1/logs/export',
        '/api/v1/sources',
        '/api/v1/uploads',
        '/api/v1/saved-searches',
      ]) {
        const response = await request('GET', path, restricted.key);
        expect([path, response.status]).toEqual([path, 403]);
      }
    });

    it('tails only its source, whatever it subscribes to', async () => {
      const watcher = await connect(admin);
      const tail = await connect(restricted.key);
      expect(await subscribe(watcher, '')).toEqual({ ok: true });
      expect(await subscribe(tail, '')).toEqual({ ok: true });
      // The worker publishes only while someone listens, and looks once a second.
      await waitFor(async () => {
        await ingest(other, [`warm-up ${Date.now()}`], '?source=warmup');
        await sleep(200);
        return watcher.lines.length > 0;
      }, 'live tail to start delivering');
      // One request, two sources: one batch, offered to both sockets at once.
      const bulk = [
        '{"index":{"_index":"payroll"}}',
        '{"message":"tail payroll line"}',
        '{"index":{"_index":"billing"}}',
        '{"message":"tail billing line"}',
        '',
      ].join('\n');
      expect(
        (await request('POST', '/api/v1/compat/es/_bulk', other, bulk, 'application/x-ndjson'))
          .status,
      ).toBe(200);
      await waitFor(
        async () => watcher.lines.some((line) => line.message === 'tail payroll line'),
        'the watcher to see the batch',
      );
      await waitFor(
        async () => tail.lines.some((line) => line.message === 'tail billing line'),
        'the restricted tail to see its line',
      );
      expect(watcher.lines.some((line) => line.message === 'tail billing line')).toBe(true);
      expect(new Set(tail.lines.map((line) => line.source))).toEqual(new Set(['billing']));
    });
  });

  it('stops a revoked key at once, and closes its live-tail sockets at the next check', async () => {
    const key = await createKey({ name: 'soon revoked', scopes: ['ingest', 'read'] });
    const tail = await connect(key.key);
    expect((await request('GET', '/api/v1/logs', key.key)).status).toBe(200);
    const revoked = await request('POST', `/api/v1/api-keys/${key.id}/revoke`, admin);
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as ApiKeyBody).revokedAt).not.toBeNull();
    expect((await request('GET', '/api/v1/logs', key.key)).status).toBe(401);
    expect((await ingest(key.key, ['after revoke'])).status).toBe(401);
    await expect(connect(key.key)).rejects.toThrow(/revoked/);

    await system.api.get(LiveTailGateway).recheckAll();
    expect(await tail.disconnected).toBe('io server disconnect');
    expect(tail.errors).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/revoked/) }),
    ]);
  });

  it('closes the live-tail sockets of a session that signed out', async () => {
    const login = await fetch(`${system.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: testEnv.env.ADMIN_PASSWORD }),
    });
    const pair = (await login.json()) as { accessToken: string; refreshToken: string };
    const tail = await connect(pair.accessToken);
    const stays = await connect(admin);
    await fetch(`${system.baseUrl}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: pair.refreshToken }),
    });
    await system.api.get(LiveTailGateway).recheckAll();
    expect(await tail.disconnected).toBe('io server disconnect');
    expect(stays.socket.connected).toBe(true);
    await expect(connect(pair.accessToken)).rejects.toThrow(/session has ended/);
  });
});
