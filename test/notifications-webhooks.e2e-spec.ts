import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  AlertNotification,
  Delivery,
  DeliveryDetail,
  DeliveryPage,
  NotificationChannel,
} from '@app/contracts';
import { DeliveryQueue, DeliveryRetryPolicy, sampleAlert } from '@app/notifications';
import { QueueProducer } from '@app/queue';
import { createTestEnv, startSystem, waitFor, type TestEnv, type TestSystem } from '@app/testing';

const SECRET = 'whsec-0123456789abcdef';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  signatureValid: boolean;
}

/**
 * A real HTTP receiver. /ok answers 204; /flaky fails twice, then 200; /down answers 500 until
 * `downRecovers` is set; /gone answers 410. It checks the HMAC of every request it gets.
 */
class Receiver {
  readonly requests: Received[] = [];
  downRecovers = false;
  private flakyCalls = 0;
  private readonly server: Server;
  port = 0;

  constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        const path = request.url ?? '';
        this.requests.push({
          path,
          headers: request.headers,
          body: body.toString('utf8'),
          signatureValid: verify(request.headers, body),
        });
        const status = path.startsWith('/flaky')
          ? ++this.flakyCalls <= 2
            ? 500
            : 200
          : path.startsWith('/down')
            ? this.downRecovers
              ? 200
              : 500
            : path.startsWith('/gone')
              ? 410
              : 204;
        response.writeHead(status, { 'content-type': 'text/plain' });
        response.end(status >= 400 ? `failure ${status}` : '');
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  to(path: string): Received[] {
    return this.requests.filter((request) => request.path === path);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** What a receiver does: HMAC-SHA256 over "<timestamp>.<body>", compared in constant time. */
function verify(headers: IncomingHttpHeaders, body: Buffer): boolean {
  const signature = headers['x-lookout-signature'];
  const timestamp = headers['x-lookout-timestamp'];
  if (typeof signature !== 'string' || typeof timestamp !== 'string') return false;
  const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.`).update(body).digest('hex')}`;
  return (
    expected.length === signature.length &&
    timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
  );
}

let counter = 0;
function alert(overrides: Partial<AlertNotification> = {}): AlertNotification {
  counter++;
  return {
    ...sampleAlert('firing'),
    transitionId: `hook-transition-${counter}-${Date.now()}`,
    alertId: `hook-alert-${counter}`,
    ...overrides,
  };
}

/** Webhook channels end to end: api + worker, a real HTTP receiver, the delivery log. */
describe('notifications: webhooks (real HTTP receiver, api + worker)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let token: string;
  let producer: QueueProducer;
  const receiver = new Receiver();
  const channels: Record<string, NotificationChannel> = {};

  const call = async <T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T; text: string }> => {
    const response = await fetch(`${system.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T, text };
  };

  const createHook = async (
    name: string,
    path: string,
    extra: Record<string, unknown> = {},
  ): Promise<NotificationChannel> => {
    const { status, body, text } = await call<NotificationChannel>('POST', '/api/v1/channels', {
      name,
      type: 'webhook',
      severities: ['info'], // routed by name (channelIds) in these tests, never by severity
      rateLimit: null,
      settings: { url: receiver.url(path), secret: SECRET },
      ...extra,
    });
    expect([status, text]).toEqual([201, expect.any(String)]);
    channels[name] = body;
    return body;
  };

  const deliveriesOf = async (transitionId: string): Promise<Delivery[]> =>
    (await call<DeliveryPage>('GET', `/api/v1/deliveries?transitionId=${transitionId}`)).body.items;

  const settled = async (transitionId: string, count = 1): Promise<Delivery[]> =>
    waitFor<Delivery[] | false>(async () => {
      const items = await deliveriesOf(transitionId);
      return items.length === count &&
        items.every((d) => d.status === 'sent' || d.status === 'dead')
        ? items
        : false;
    }, `deliveries of ${transitionId} to settle`) as Promise<Delivery[]>;

  beforeAll(async () => {
    await receiver.start();
    testEnv = createTestEnv('notify_hooks', {
      WEBHOOK_ALLOW: '127.0.0.1',
      NOTIFY_MAX_ATTEMPTS: '5',
      PUBLIC_URL: 'https://lookout.test',
    });
    system = await startSystem(testEnv);
    // Short waits between attempts; the policy is the same code, with a small base.
    system.worker!.get(DeliveryRetryPolicy).baseDelayMs = 20;
    producer = system.api.get(QueueProducer);
    token = await system.login();
  });

  afterAll(async () => {
    await system?.close();
    await testEnv?.cleanup();
    await receiver.close();
  });

  it('stores the signing secret and auth headers but never returns them', async () => {
    const channel = await createHook('signed', '/ok', {
      settings: {
        url: receiver.url('/ok'),
        secret: SECRET,
        headers: { Authorization: 'Bearer receiver-token-42', 'X-Team': 'ops' },
        timeoutMs: 5000,
      },
    });
    expect(channel.secrets).toEqual({ secret: true, headers: true });
    expect(channel.settings).toEqual({
      url: receiver.url('/ok'),
      timeoutMs: 5000,
      headerNames: ['Authorization', 'X-Team'],
    });
    for (const path of ['/api/v1/channels', `/api/v1/channels/${channel.id}`]) {
      const { text } = await call('GET', path);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('receiver-token-42');
    }
    const audit = await call('GET', `/api/v1/audit?entityType=channel&entityId=${channel.id}`);
    expect(audit.status).toBe(200);
    expect(audit.text).toContain('channel.create');
    expect(audit.text).not.toContain(SECRET);
    expect(audit.text).not.toContain('receiver-token-42');

    // A PATCH that leaves the secrets out keeps them; null removes one.
    const renamed = await call<NotificationChannel>('PATCH', `/api/v1/channels/${channel.id}`, {
      settings: { timeoutMs: 4000 },
    });
    expect(renamed.body.secrets).toEqual({ secret: true, headers: true });
    const cleared = await call<NotificationChannel>('PATCH', `/api/v1/channels/${channel.id}`, {
      settings: { headers: null },
    });
    expect(cleared.body.secrets).toEqual({ secret: true, headers: false });
    await call('PATCH', `/api/v1/channels/${channel.id}`, {
      settings: { headers: { Authorization: 'Bearer receiver-token-42' } },
    });
  });

  it('refuses private, loopback, link-local and metadata targets not in WEBHOOK_ALLOW', async () => {
    const refused = async (url: string) => {
      const { status, body } = await call<{ message: string[] }>('POST', '/api/v1/channels', {
        name: `refused ${url}`,
        type: 'webhook',
        settings: { url },
      });
      expect(status).toBe(400);
      return body.message.join(' ');
    };
    expect(await refused('http://10.1.2.3/hook')).toBe(
      'settings.url is refused: 10.1.2.3 is not a public address (private); add the host, address or range to WEBHOOK_ALLOW to call it',
    );
    expect(await refused('http://169.254.169.254/latest/meta-data')).toContain(
      'link-local (cloud metadata)',
    );
    expect(await refused(`http://127.0.0.2:${receiver.port}/`)).toContain('(loopback)');
    expect(await refused(`http://[::1]:${receiver.port}/`)).toContain('loopback');
    expect(await refused('http://[fd00::1]/')).toContain('unique local');
    expect(await refused('http://192.168.1.1:8080/')).toContain('(private)');
    expect(await refused('http://100.64.0.1/')).toContain('carrier-grade NAT');
    expect(await refused('ftp://example.com/')).toContain('must be an http:// or https:// URL');
    expect(await refused('http://user:pw@127.0.0.1/')).toContain('must not hold credentials');
    // localhost resolves to 127.0.0.1, which WEBHOOK_ALLOW names.
    const allowed = await call('POST', '/api/v1/channels', {
      name: 'by name',
      type: 'webhook',
      settings: { url: `http://localhost:${receiver.port}/ok` },
    });
    expect(allowed.status).toBe(201);
  });

  it('signs the exact body with HMAC-SHA256 and sends the headers', async () => {
    const notification = alert({ channelIds: [channels.signed.id] });
    await producer.notifyAlert(notification);
    const [delivery] = await settled(notification.transitionId);
    expect(delivery.status).toBe('sent');
    const [request] = receiver
      .to('/ok')
      .filter((r) => JSON.parse(r.body).alert?.transitionId === notification.transitionId);
    expect(request.signatureValid).toBe(true);
    expect(request.headers.authorization).toBe('Bearer receiver-token-42');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-lookout-delivery']).toBe(delivery.id);
    const body = JSON.parse(request.body);
    expect(body).toEqual({
      version: 1,
      event: 'alert.firing',
      alert: notification,
      url: `https://lookout.test/#/alerts/history/${notification.alertId}`,
    });
    // The hostile sample line arrives intact inside valid JSON.
    expect(body.alert.samples[0].message).toBe(notification.samples[0].message);
    expect(delivery.target).toBe(`POST http://127.0.0.1:${receiver.port}`);
  });

  it('retries a receiver that fails twice, and shows every attempt in the log', async () => {
    const channel = await createHook('flaky', '/flaky');
    const notification = alert({ channelIds: [channel.id] });
    await producer.notifyAlert(notification);
    const [delivery] = await settled(notification.transitionId);
    expect(delivery).toMatchObject({ status: 'sent', attempts: 3, lastResponse: 'HTTP 200' });
    const detail = (await call<DeliveryDetail>('GET', `/api/v1/deliveries/${delivery.id}`)).body;
    expect(detail.attemptLog.map((a) => [a.attempt, a.outcome, a.httpStatus, a.error])).toEqual([
      [1, 'failed', 500, 'the receiver answered HTTP 500'],
      [2, 'failed', 500, 'the receiver answered HTTP 500'],
      [3, 'sent', 200, null],
    ]);
    expect(detail.attemptLog[0].response).toBe('HTTP 500: failure 500');
    expect(receiver.to('/flaky')).toHaveLength(3);
    expect(receiver.to('/flaky').every((r) => r.signatureValid)).toBe(true);
  });

  it('dead-letters a delivery after the last attempt, with the reason; a retry by hand sends it', async () => {
    const channel = await createHook('down', '/down');
    const notification = alert({ channelIds: [channel.id] });
    await producer.notifyAlert(notification);
    const [delivery] = await settled(notification.transitionId);
    expect(delivery).toMatchObject({
      status: 'dead',
      attempts: 5,
      maxAttempts: 5,
      lastError: 'gave up after 5 attempts: the receiver answered HTTP 500',
      lastResponse: 'HTTP 500: failure 500',
    });
    const dead = await call<DeliveryPage>(
      'GET',
      `/api/v1/deliveries?status=dead&channelId=${channel.id}`,
    );
    expect(dead.body.items.map((d) => d.id)).toEqual([delivery.id]);

    receiver.downRecovers = true;
    const retried = await call<DeliveryDetail>('POST', `/api/v1/deliveries/${delivery.id}/retry`);
    expect(retried.status).toBe(200);
    const [sent] = await settled(notification.transitionId);
    expect(sent).toMatchObject({ status: 'sent', attempts: 6 });
    const again = await call('POST', `/api/v1/deliveries/${delivery.id}/retry`);
    expect(again.status).toBe(400);
  });

  it('gives up at once on a 4xx answer: retrying cannot fix it', async () => {
    const channel = await createHook('gone', '/gone');
    const notification = alert({ channelIds: [channel.id] });
    await producer.notifyAlert(notification);
    const [delivery] = await settled(notification.transitionId);
    expect(delivery).toMatchObject({
      status: 'dead',
      attempts: 1,
      lastError: 'permanent failure: the receiver answered HTTP 410',
    });
  });

  it('renders the Slack and Teams presets as their incoming webhooks expect', async () => {
    const slack = await createHook('slack', '/slack', { templateId: 'builtin-slack' });
    const teams = await createHook('teams', '/teams', { templateId: 'builtin-teams' });
    const notification = alert({ channelIds: [slack.id, teams.id] });
    await producer.notifyAlert(notification);
    await settled(notification.transitionId, 2);
    const slackBody = JSON.parse(receiver.to('/slack')[0].body);
    expect(slackBody.text).toBe(
      ':rotating_light: [HIGH] Checkout errors (host=web-1) is firing: 27 lines matching level:error AND path:/checkout* in 1m &gt; 10 (host=web-1)',
    );
    expect(JSON.stringify(slackBody.blocks)).toContain('&lt;!channel&gt;');
    const teamsBody = JSON.parse(receiver.to('/teams')[0].body);
    expect(teamsBody['@type']).toBe('MessageCard');
    expect(teamsBody.title).toBe('[HIGH] Checkout errors is firing');
    expect(teamsBody.sections[0].facts).toContainEqual({ name: 'Group', value: 'host=web-1' });
  });

  it('sends a test now and returns the outcome', async () => {
    const ok = await call<{ ok: boolean; response: string; deliveryId: string }>(
      'POST',
      `/api/v1/channels/${channels.signed.id}/test`,
    );
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, status: 'sent', response: 'HTTP 204', error: null });
    const last = receiver.to('/ok').at(-1)!;
    expect(JSON.parse(last.body).alert.ruleName).toBe('Lookout test notification');
    expect(last.signatureValid).toBe(true);
    const failing = await call<{ ok: boolean; error: string; deliveryId: string }>(
      'POST',
      `/api/v1/channels/${channels.gone.id}/test`,
    );
    expect(failing.body).toMatchObject({
      ok: false,
      status: 'dead',
      error: 'the receiver answered HTTP 410',
    });
    const tests = await call<DeliveryPage>('GET', '/api/v1/deliveries?kind=test');
    expect(tests.body.items.map((d) => d.id)).toEqual([
      failing.body.deliveryId,
      ok.body.deliveryId,
    ]);
  });

  it('pages the log newest first and counts outcomes in /metrics', async () => {
    const first = await call<DeliveryPage>('GET', '/api/v1/deliveries?limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await call<DeliveryPage>(
      'GET',
      `/api/v1/deliveries?limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(BigInt(second.body.items[0].id)).toBeLessThan(BigInt(first.body.items[1].id));
    expect((await call('GET', '/api/v1/deliveries?status=nope')).status).toBe(400);
    expect((await call('GET', '/api/v1/deliveries?logId=abc')).status).toBe(400);
    expect((await call('GET', '/api/v1/deliveries/999999')).status).toBe(404);

    await waitFor(async () => (await system.api.get(DeliveryQueue).pending()) === 0, 'queue idle');
    const metrics = await (await fetch(`${system.baseUrl}/metrics`)).text();
    const value = (outcome: string) =>
      Number(
        new RegExp(
          `lookout_notification_deliveries_total\\{channel_type="webhook",outcome="${outcome}"\\} (\\d+)`,
        ).exec(metrics)?.[1],
      );
    expect(value('sent')).toBeGreaterThanOrEqual(6);
    expect(value('failed')).toBeGreaterThanOrEqual(7);
    expect(value('dead')).toBeGreaterThanOrEqual(3);
  });

  it('answers bad input with a 4xx JSON error, never a 500', async () => {
    const cases: [string, string, unknown, number][] = [
      ['POST', '/api/v1/channels', { name: 'x', type: 'sms', settings: {} }, 400],
      ['POST', '/api/v1/channels', { name: 'x', type: 'webhook', settings: 'http://a' }, 400],
      ['POST', '/api/v1/channels', { name: 'x', type: 'webhook', settings: {} }, 400],
      [
        'POST',
        '/api/v1/channels',
        {
          name: 'x',
          type: 'webhook',
          templateId: 'builtin-nope',
          settings: { url: receiver.url('/ok') },
        },
        400,
      ],
      [
        'POST',
        '/api/v1/channels',
        {
          name: 'x',
          type: 'webhook',
          rateLimit: { maxMessages: 0, windowSeconds: 10 },
          settings: { url: receiver.url('/ok') },
        },
        400,
      ],
      [
        'POST',
        '/api/v1/channels',
        {
          name: 'x',
          type: 'webhook',
          settings: { url: receiver.url('/ok'), headers: { Host: 'evil', 'Bad Name': 'x' } },
        },
        400,
      ],
      [
        'PATCH',
        `/api/v1/channels/${channels.signed.id}`,
        { settings: { url: 'http://10.0.0.1/' } },
        400,
      ],
      ['PATCH', `/api/v1/channels/${channels.signed.id}`, { type: 'email' }, 400],
      ['GET', '/api/v1/channels/not-a-uuid', undefined, 400],
      ['GET', '/api/v1/channels/00000000-0000-4000-8000-000000000000', undefined, 404],
      ['PATCH', '/api/v1/recipients/00000000-0000-4000-8000-000000000000', { active: false }, 404],
      ['POST', '/api/v1/recipients', { addresses: 42 }, 400],
      ['POST', '/api/v1/templates/preview', {}, 400],
      ['POST', '/api/v1/templates/preview', { templateId: 'builtin-nope' }, 404],
      ['GET', '/api/v1/templates/nope', undefined, 404],
      ['DELETE', '/api/v1/templates/builtin-slack', undefined, 400],
      [
        'POST',
        '/api/v1/templates',
        {
          name: 't',
          channelType: 'webhook',
          firing: { subject: 'x', body: '{}' },
          resolved: { body: '{}' },
        },
        400,
      ],
      [
        'GET',
        '/api/v1/deliveries?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z',
        undefined,
        400,
      ],
      ['POST', '/api/v1/deliveries/abc/retry', undefined, 404],
    ];
    for (const [method, path, body, expected] of cases) {
      const response = await call<{ statusCode: number; error: string; message: unknown }>(
        method,
        path,
        body,
      );
      expect([method, path, response.status]).toEqual([method, path, expected]);
      expect(response.body).toMatchObject({ statusCode: expected, error: expect.any(String) });
      expect(response.body.message).toBeDefined();
    }
  });

  it('documents every endpoint in Swagger', async () => {
    const document = (await (await fetch(`${system.baseUrl}/docs-json`)).json()) as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
      components: { schemas: Record<string, unknown> };
    };
    const routes = Object.entries(document.paths)
      .filter(([path]) => /\/api\/v1\/(channels|recipients|templates|deliveries)/.test(path))
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));
    expect(routes.sort()).toEqual(
      [
        'get /api/v1/channels',
        'post /api/v1/channels',
        'get /api/v1/channels/{id}',
        'patch /api/v1/channels/{id}',
        'delete /api/v1/channels/{id}',
        'post /api/v1/channels/{id}/test',
        'get /api/v1/recipients',
        'post /api/v1/recipients',
        'patch /api/v1/recipients/{id}',
        'delete /api/v1/recipients/{id}',
        'get /api/v1/templates',
        'post /api/v1/templates',
        'post /api/v1/templates/preview',
        'get /api/v1/templates/{id}',
        'patch /api/v1/templates/{id}',
        'delete /api/v1/templates/{id}',
        'get /api/v1/deliveries',
        'get /api/v1/deliveries/{id}',
        'post /api/v1/deliveries/{id}/retry',
      ].sort(),
    );
    for (const schema of [
      'EmailSettingsDto',
      'WebhookSettingsDto',
      'ChannelDto',
      'DeliveryDetailDto',
    ])
      expect(document.components.schemas).toHaveProperty(schema);
  });
});
