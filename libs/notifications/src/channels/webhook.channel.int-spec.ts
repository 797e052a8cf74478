import type { LookupAddress } from 'node:dns';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendFailure, type ChannelConfig } from './channel-type';
import { webhookSignature, WebhookChannel } from './webhook.channel';
import { WebhookTargetPolicy } from './webhook-target-policy';

/**
 * The webhook sender against a real local HTTP server, with a resolver whose answers the test
 * picks: a name that resolves to a private address at send time is refused at connection time.
 */
describe('WebhookChannel (real HTTP server on loopback)', () => {
  let server: Server;
  let port = 0;
  const received: { headers: IncomingHttpHeaders; body: Buffer }[] = [];
  const answers: Record<string, string> = {
    'hooks.allowed.test': '127.0.0.1',
    'rebound.test': '10.0.0.7',
  };
  const resolver = async (host: string): Promise<LookupAddress[]> => [
    { address: answers[host], family: 4 },
  ];
  const channel = (url: string, secrets: Record<string, unknown> = {}): ChannelConfig => ({
    id: 'c1',
    name: 'hook',
    type: 'webhook',
    settings: { url, timeoutMs: 2000 },
    secrets,
  });
  const request = {
    deliveryId: '77',
    recipients: [],
    message: {
      subject: null,
      text: null,
      html: null,
      body: '{"a":"é"}',
      contentType: 'application/json',
    },
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks) });
        if (req.url === '/slow') return; // never answers
        res.writeHead(req.url === '/busy' ? 429 : 200, { 'retry-after': '7' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('connects to the address its lookup checked and signs the exact bytes', async () => {
    const hook = new WebhookChannel(new WebhookTargetPolicy(['127.0.0.1'], [], resolver));
    const outcome = await hook.send(
      channel(`http://hooks.allowed.test:${port}/x`, {
        secret: 'sixteen-chars-secret',
        headers: { 'X-Team': 'ops' },
      }),
      request,
    );
    expect(outcome).toEqual({ response: 'HTTP 200: ok', httpStatus: 200 });
    const { headers, body } = received.at(-1)!;
    expect(body.toString('utf8')).toBe('{"a":"é"}');
    expect(headers['content-length']).toBe(String(Buffer.byteLength('{"a":"é"}')));
    expect(headers['x-team']).toBe('ops');
    expect(headers['x-lookout-delivery']).toBe('77');
    expect(headers['x-lookout-signature']).toBe(
      webhookSignature('sixteen-chars-secret', Number(headers['x-lookout-timestamp']), body),
    );
  });

  it('refuses at connection time a name that now resolves to a private address', async () => {
    const hook = new WebhookChannel(new WebhookTargetPolicy(['127.0.0.1'], [], resolver));
    const failure = await hook
      .send(channel(`http://rebound.test:${port}/x`), request)
      .catch((e) => e);
    expect(failure).toBeInstanceOf(SendFailure);
    expect(failure.message).toBe(
      'refused: 10.0.0.7 (rebound.test) is not a public address (private); add the host, address or range to WEBHOOK_ALLOW to call it',
    );
    expect(failure.details).toMatchObject({ permanent: true, refused: true });
  });

  it('times out, and reports 429 as retryable with its Retry-After', async () => {
    const hook = new WebhookChannel(new WebhookTargetPolicy(['127.0.0.1'], [], resolver));
    const slow = await hook
      .send(
        {
          ...channel(`http://127.0.0.1:${port}/slow`),
          settings: { url: `http://127.0.0.1:${port}/slow`, timeoutMs: 200 },
        },
        request,
      )
      .catch((e) => e);
    expect(slow.message).toBe('no answer within 200 ms');
    expect(slow.details.permanent).toBe(false);
    const busy = await hook.send(channel(`http://127.0.0.1:${port}/busy`), request).catch((e) => e);
    expect(busy.details).toMatchObject({ permanent: false, httpStatus: 429, retryAfterMs: 7000 });
  });
});
