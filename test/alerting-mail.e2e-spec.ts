import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AlertRule, NotificationChannel } from '@app/contracts';
import { createTestEnv, startSystem, waitFor, type TestEnv, type TestSystem } from '@app/testing';

interface Mail {
  parsed: ParsedMail;
  envelopeTo: string[];
}

/** From a stored line to a mail in an inbox: ingest → alert → notifications → SMTP. */
describe('alert to mail (real api + worker, Postgres, Redis, SMTP server)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let token: string;
  let port = 0;
  const mails: Mail[] = [];
  const smtp = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData: (stream, session, callback) => {
      simpleParser(stream).then(
        (parsed) => {
          mails.push({ parsed, envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address) });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });

  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${system.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  };

  beforeAll(async () => {
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    port = (smtp.server.address() as AddressInfo).port;
    testEnv = createTestEnv('alerting_mail');
    system = await startSystem(testEnv);
    token = await system.login();
  });

  afterAll(async () => {
    await system?.close();
    await testEnv?.cleanup();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('mails the firing alert with its evidence, then its resolution, to the rule recipients', async () => {
    const channel = await call<NotificationChannel>('POST', '/api/v1/channels', {
      name: 'local smtp',
      type: 'email',
      rateLimit: null,
      settings: { host: '127.0.0.1', port, from: 'Lookout <alerts@lookout.test>' },
    });
    const rule = await call<AlertRule>('POST', '/api/v1/alert-rules', {
      name: 'Payments declined',
      query: '"payment declined"',
      type: 'pattern',
      severity: 'critical',
      channelIds: [channel.id],
      recipients: ['oncall@example.com'],
      settings: { coalesceSeconds: 2 },
    });
    const created = Date.now();
    await waitFor(async () => {
      const { health } = await call<AlertRule>('GET', `/api/v1/alert-rules/${rule.id}`);
      return health.lastEvaluatedAt !== null && Date.parse(health.lastEvaluatedAt) >= created;
    }, 'the rule to be evaluated');

    const response = await fetch(`${system.baseUrl}/api/v1/ingest?source=shop`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: 'ERROR payment declined for order 4711 (card expired)\nINFO order 4712 paid',
    });
    expect(response.status).toBe(202);

    const firing = await waitFor(async () => mails[0], 'the firing mail', 20_000);
    expect(firing.envelopeTo).toEqual(['oncall@example.com']);
    const body = `${firing.parsed.subject}\n${firing.parsed.text}`;
    expect(body).toContain('Payments declined');
    expect(body).toContain('ERROR payment declined for order 4711 (card expired)');
    expect(body).not.toContain('order 4712 paid');

    const resolved = await waitFor(async () => mails[1], 'the resolution mail', 20_000);
    expect(resolved.envelopeTo).toEqual(['oncall@example.com']);
    expect(`${resolved.parsed.subject}\n${resolved.parsed.text}`.toLowerCase()).toContain(
      'resolved',
    );
  });
});
