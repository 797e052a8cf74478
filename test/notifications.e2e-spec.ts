import type { AddressInfo } from 'node:net';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type {
  AddRecipientsResponse,
  AlertNotification,
  Delivery,
  DeliveryDetail,
  DeliveryPage,
  NotificationChannel,
  NotificationTemplate,
  Recipient,
  TemplatePreviewResponse,
} from '@app/contracts';
import { DeliveryQueue, DeliveryRetryPolicy, sampleAlert } from '@app/notifications';
import { QueueProducer } from '@app/queue';
import { createTestEnv, startSystem, waitFor, type TestEnv, type TestSystem } from '@app/testing';

const HOSTILE = '<script>alert("pwned")</script> & <img src=x onerror=alert(1)> "quoted"';

interface Mail {
  parsed: ParsedMail;
  envelopeTo: string[];
  secure: boolean;
  user: string | undefined;
}

/**
 * A real SMTP server: STARTTLS (smtp-server's own self-signed certificate), AUTH required, every
 * message read back with mailparser. `reject` answers chosen messages with an SMTP error.
 */
class MailSink {
  readonly mails: Mail[] = [];
  reject: ((subject: string) => { code: number; text: string } | null) | null = null;
  private readonly server: SMTPServer;
  port = 0;

  constructor() {
    this.server = new SMTPServer({
      logger: false,
      disableReverseLookup: true,
      authMethods: ['PLAIN', 'LOGIN'],
      onAuth: (auth, _session, callback) =>
        auth.username === 'lookout' && auth.password === 'smtp-pass'
          ? callback(null, { user: 'lookout' })
          : callback(new Error('Invalid username or password')),
      onData: (stream, session, callback) => {
        simpleParser(stream).then(
          (parsed) => {
            const refusal = this.reject?.(parsed.subject ?? '');
            if (refusal)
              return callback(
                Object.assign(new Error(refusal.text), { responseCode: refusal.code }),
              );
            this.mails.push({
              parsed,
              envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              secure: session.secure,
              user: session.user as string | undefined,
            });
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  find(text: string): Mail[] {
    return this.mails.filter(
      (mail) =>
        (mail.parsed.subject ?? '').includes(text) || (mail.parsed.text ?? '').includes(text),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const addresses = (field: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((f) =>
    f.value.map((v) => v.address ?? ''),
  );

let counter = 0;
function alert(overrides: Partial<AlertNotification> = {}): AlertNotification {
  counter++;
  const base = sampleAlert('firing');
  return {
    ...base,
    transitionId: `mail-transition-${counter}-${Date.now()}`,
    alertId: `mail-alert-${counter}`,
    ruleName: `Checkout errors ${counter}`,
    severity: 'critical',
    samples: [
      { ...base.samples[0], id: String(700000 + counter), message: HOSTILE },
      { ...base.samples[1], id: String(800000 + counter) },
    ],
    ...overrides,
  };
}

/** Email channels end to end: api + worker, a real SMTP server, mailparser reading the mail back. */
describe('notifications: email, recipients, templates, flood control (real SMTP server)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let token: string;
  let producer: QueueProducer;
  const sink = new MailSink();
  let oncall: NotificationChannel;

  const call = async <T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    bearer = token,
  ): Promise<{ status: number; body: T; text: string }> => {
    const response = await fetch(`${system.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T, text };
  };

  const smtpSettings = () => ({
    host: '127.0.0.1',
    port: sink.port,
    requireTLS: true,
    tlsRejectUnauthorized: false, // smtp-server's self-signed certificate
    user: 'lookout',
    password: 'smtp-pass',
    from: 'Lookout <alerts@lookout.test>',
  });

  const deliveries = async (query: string): Promise<Delivery[]> => {
    const { status, body, text } = await call<DeliveryPage>('GET', `/api/v1/deliveries?${query}`);
    expect([status, text]).toEqual([200, expect.any(String)]);
    return body.items;
  };

  /** The deliveries of a query once the first one has reached `status`. */
  const deliveriesWhen = async (query: string, status: string): Promise<Delivery[]> => {
    let found: Delivery[] = [];
    await waitFor(async () => {
      found = await deliveries(query);
      return found[0]?.status === status;
    }, `${query} ${status}`);
    return found;
  };

  const mailFor = (subject: string): Promise<Mail> =>
    waitFor(async () => sink.find(subject)[0], `mail "${subject}"`);

  const idle = () =>
    waitFor(
      async () => (await system.api.get(DeliveryQueue).pending()) === 0,
      'notifications queue idle',
    );

  beforeAll(async () => {
    await sink.start();
    testEnv = createTestEnv('notify_mail', {
      WEBHOOK_ALLOW: '127.0.0.1',
      NOTIFY_DEFAULT_RECIPIENTS: 'fallback@lookout.test',
      // The server of email channels without their own host.
      SMTP_URL: `smtp://lookout:smtp-pass@127.0.0.1:${sink.port}/?requireTLS=true&tls.rejectUnauthorized=false`,
      SMTP_FROM: 'Lookout default <default@lookout.test>',
      PUBLIC_URL: 'https://lookout.test',
    });
    system = await startSystem(testEnv);
    system.worker!.get(DeliveryRetryPolicy).baseDelayMs = 20;
    producer = system.api.get(QueueProducer);
    token = await system.login();
  });

  afterAll(async () => {
    await system?.close();
    await testEnv?.cleanup();
    await sink.close();
  });

  it('keeps the SMTP password to itself', async () => {
    const created = await call<NotificationChannel>('POST', '/api/v1/channels', {
      name: 'On-call email',
      type: 'email',
      severities: ['critical', 'high'],
      rateLimit: null,
      settings: smtpSettings(),
    });
    expect(created.status).toBe(201);
    oncall = created.body;
    expect(oncall.secrets).toEqual({ password: true });
    expect(oncall.settings).not.toHaveProperty('password');
    expect(oncall.settings).toMatchObject({ host: '127.0.0.1', user: 'lookout', requireTLS: true });
    for (const path of [
      '/api/v1/channels',
      `/api/v1/channels/${oncall.id}`,
      '/api/v1/audit?entityType=channel',
    ])
      expect((await call('GET', path)).text).not.toContain('smtp-pass');

    const bad = await call<{ message: string[] }>('POST', '/api/v1/channels', {
      name: 'broken',
      type: 'email',
      settings: { port: 70000, secure: true, requireTLS: true, to: ['nope'], colour: 'red' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toEqual(
      expect.arrayContaining([
        'settings.port must not be greater than 65535',
        'settings.to must hold e-mail addresses',
        'settings.colour should not exist',
      ]),
    );
    const duplicate = await call('POST', '/api/v1/channels', {
      name: 'ON-CALL email',
      type: 'email',
      settings: smtpSettings(),
    });
    expect(duplicate.status).toBe(409);
  });

  it('adds several recipients at once, reports the bad ones, deactivates and deletes', async () => {
    const added = await call<AddRecipientsResponse>('POST', '/api/v1/recipients', {
      addresses:
        'ann@example.com, Bob <bob@example.com>; not-an-address\nann@example.com,carol@example.com',
    });
    expect(added.status).toBe(201);
    expect(added.body.added.map((r) => r.address)).toEqual([
      'ann@example.com',
      'bob@example.com',
      'carol@example.com',
    ]);
    expect(added.body.invalid).toEqual([
      { value: 'not-an-address', reason: 'not an e-mail address' },
    ]);
    const again = await call<AddRecipientsResponse>('POST', '/api/v1/recipients', {
      addresses: 'ANN@example.com',
    });
    expect(again.body.existing.map((r) => r.address)).toEqual(['ann@example.com']);
    const none = await call<{ message: string; invalid: unknown[] }>('POST', '/api/v1/recipients', {
      addresses: 'nope, also@nope',
    });
    expect(none.status).toBe(400);
    expect(none.body.invalid).toHaveLength(2);

    const bob = added.body.added[1];
    const off = await call<Recipient>('PATCH', `/api/v1/recipients/${bob.id}`, { active: false });
    expect(off.body.active).toBe(false);
    expect((await call('DELETE', `/api/v1/recipients/${added.body.added[2].id}`)).status).toBe(204);
    const list = await call<Recipient[]>('GET', '/api/v1/recipients');
    expect(list.body.map((r) => [r.address, r.active])).toEqual([
      ['ann@example.com', true],
      ['bob@example.com', false],
    ]);
  });

  it('mails an alert to the active recipients over STARTTLS with AUTH, saying why, the hostile line escaped', async () => {
    const notification = alert();
    await producer.notifyAlert(notification);
    const mail = await mailFor(notification.ruleName);
    expect(mail.secure).toBe(true);
    expect(mail.user).toBe('lookout');
    expect(mail.envelopeTo).toEqual(['ann@example.com']);
    expect(addresses(mail.parsed.to)).toEqual(['ann@example.com']);
    expect(addresses(mail.parsed.from)).toEqual(['alerts@lookout.test']);
    expect(mail.parsed.subject).toBe(`[CRITICAL] ${notification.ruleName} (host=web-1) is firing`);
    const text = mail.parsed.text ?? '';
    expect(text).toContain(`Why: ${notification.reason}`);
    expect(text).toContain('Value: 27 (threshold > 10)');
    expect(text).toContain('Window: 2026-11-21 09:13:00 UTC to 2026-11-21 09:14:00 UTC');
    expect(text).toContain(`2026-11-21 09:13:58.120 ERROR checkout web-1: ${HOSTILE}`);
    expect(text).toContain(`https://lookout.test/#/alerts/history/${notification.alertId}`);
    const html = mail.parsed.html || '';
    expect(html).toContain(
      '&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;',
    );
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');

    const [delivery] = await deliveriesWhen(`alertId=${notification.alertId}`, 'sent');
    expect(mail.parsed.headers.get('x-lookout-delivery')).toBe(delivery.id);
    expect(delivery).toMatchObject({
      kind: 'alert',
      channelId: oncall.id,
      channelName: 'On-call email',
      channelType: 'email',
      transitionId: notification.transitionId,
      ruleName: notification.ruleName,
      severity: 'critical',
      state: 'firing',
      recipients: ['ann@example.com'],
      target: 'ann@example.com',
      attempts: 1,
      sampleLogIds: notification.samples.map((s) => s.id),
    });
    const detail = (await call<DeliveryDetail>('GET', `/api/v1/deliveries/${delivery.id}`)).body;
    expect(detail.attemptLog).toHaveLength(1);
    expect(detail.attemptLog[0]).toMatchObject({ attempt: 1, outcome: 'sent', error: null });
    expect(detail.attemptLog[0].response).toMatch(/^250 /);
    expect(detail.text).toContain(HOSTILE);

    // "Which notifications showed this log line?"
    const byLine = await deliveries(`logId=${notification.samples[0].id}`);
    expect(byLine.map((d) => d.id)).toEqual([delivery.id]);
    expect(await deliveries('logId=123456789')).toEqual([]);
  });

  it('delivers once when the same transition is enqueued again', async () => {
    const notification = alert();
    await producer.notifyAlert(notification);
    await mailFor(notification.ruleName);
    await idle();
    await producer.notifyAlert(notification); // the first job is complete and removed: a new job
    await idle();
    expect(sink.find(notification.ruleName)).toHaveLength(1);
    expect(await deliveries(`transitionId=${notification.transitionId}`)).toHaveLength(1);
  });

  it("sends to the rule's recipients when it names some, else to the configured default", async () => {
    const ruleOwn = alert({ recipients: ['owner@example.com'] });
    await producer.notifyAlert(ruleOwn);
    expect((await mailFor(ruleOwn.ruleName)).envelopeTo).toEqual(['owner@example.com']);

    const ann = (await call<Recipient[]>('GET', '/api/v1/recipients')).body.find(
      (r) => r.address === 'ann@example.com',
    )!;
    await call('PATCH', `/api/v1/recipients/${ann.id}`, { active: false });
    const fallback = alert();
    await producer.notifyAlert(fallback);
    expect((await mailFor(fallback.ruleName)).envelopeTo).toEqual(['fallback@lookout.test']);
    await call('PATCH', `/api/v1/recipients/${ann.id}`, { active: true });
  });

  it('routes by severity unless the rule names its channels', async () => {
    const low = alert({ severity: 'low' });
    await producer.notifyAlert(low);
    const named = alert({ severity: 'low', channelIds: [oncall.id] });
    await producer.notifyAlert(named);
    await mailFor(named.ruleName);
    await idle();
    expect(await deliveries(`alertId=${low.alertId}`)).toEqual([]);
    expect(sink.find(low.ruleName)).toEqual([]);
  });

  it('folds a flood into one summary sent when the window ends', async () => {
    const flood = await call<NotificationChannel>('POST', '/api/v1/channels', {
      name: 'Flood-limited',
      type: 'email',
      severities: ['medium'],
      rateLimit: { maxMessages: 2, windowSeconds: 3 },
      settings: { ...smtpSettings(), to: ['flood@example.com'] },
    });
    expect(flood.status).toBe(201);
    const alerts = Array.from({ length: 5 }, (_, i) =>
      alert({ severity: 'medium', ruleName: `Flood rule ${i}` }),
    );
    for (const notification of alerts) await producer.notifyAlert(notification);

    const summary = await mailFor('held back on Flood-limited');
    expect(summary.parsed.subject).toBe('[Lookout] 3 notifications held back on Flood-limited');
    expect(summary.envelopeTo).toEqual(['flood@example.com']);
    const all = await deliveries(`channelId=${flood.body.id}`);
    const byStatus = (status: string) => all.filter((d) => d.status === status);
    expect(byStatus('suppressed')).toHaveLength(3);
    const [summaryDelivery] = all.filter((d) => d.kind === 'summary');
    expect(summaryDelivery.status).toBe('sent');
    expect(all.filter((d) => d.kind === 'alert' && d.status === 'sent')).toHaveLength(2);
    const detail = (await call<DeliveryDetail>('GET', `/api/v1/deliveries/${summaryDelivery.id}`))
      .body;
    expect(detail.suppressedIds.sort()).toEqual(
      byStatus('suppressed')
        .map((d) => d.id)
        .sort(),
    );
    for (const suppressed of byStatus('suppressed')) {
      expect(suppressed.summaryId).toBe(summaryDelivery.id);
      expect(summary.parsed.text).toContain(`[MEDIUM] ${suppressed.ruleName} (host=web-1) firing`);
    }
    // Only the two admitted alerts were mailed on their own.
    expect(
      sink.find('Flood rule').filter((m) => !m.parsed.subject!.includes('held back')),
    ).toHaveLength(2);
  });

  it('dead-letters at once on a permanent SMTP refusal, retries a temporary one', async () => {
    let temporary = 0;
    sink.reject = (subject) => {
      if (subject.includes('Refused rule')) return { code: 550, text: 'Mailbox unavailable' };
      if (subject.includes('Greylisted rule') && ++temporary <= 2)
        return { code: 451, text: 'Greylisted, try again later' };
      return null;
    };
    const refused = alert({ ruleName: 'Refused rule' });
    const greylisted = alert({ ruleName: 'Greylisted rule' });
    await producer.notifyAlert(refused);
    await producer.notifyAlert(greylisted);
    await mailFor('Greylisted rule');
    const [dead] = await deliveriesWhen(`alertId=${refused.alertId}`, 'dead');
    expect(dead.attempts).toBe(1);
    expect(dead.lastError).toMatch(/^permanent failure: .*550 Mailbox unavailable/);
    const [sent] = await deliveriesWhen(`alertId=${greylisted.alertId}`, 'sent');
    const detail = (await call<DeliveryDetail>('GET', `/api/v1/deliveries/${sent.id}`)).body;
    expect(detail.attemptLog.map((a) => a.outcome)).toEqual(['failed', 'failed', 'sent']);
    expect(detail.attemptLog[0].error).toContain('451 Greylisted');
    sink.reject = null;
  });

  it('falls back to SMTP_URL and SMTP_FROM for a channel without its own server', async () => {
    const created = await call<NotificationChannel>('POST', '/api/v1/channels', {
      name: 'Default server',
      type: 'email',
      severities: ['info'],
      settings: { to: ['team@example.com'] },
    });
    expect(created.status).toBe(201);
    expect(created.body.secrets).toEqual({ password: false });
    const notification = alert({ ruleName: 'Via SMTP_URL', channelIds: [created.body.id] });
    await producer.notifyAlert(notification);
    const mail = await mailFor('Via SMTP_URL');
    expect(mail.secure).toBe(true);
    expect(mail.user).toBe('lookout');
    expect(mail.envelopeTo).toEqual(['team@example.com']);
    expect(addresses(mail.parsed.from)).toEqual(['default@lookout.test']);
  });

  it('sends a test mail now and records it', async () => {
    const result = await call<{ ok: boolean; response: string; deliveryId: string }>(
      'POST',
      `/api/v1/channels/${oncall.id}/test`,
    );
    expect(result.status).toBe(200);
    expect(result.body.ok).toBe(true);
    expect(result.body.response).toMatch(/^250 /);
    const mail = await mailFor('Lookout test notification');
    expect(mail.envelopeTo).toEqual(['ann@example.com']);
    const detail = (
      await call<DeliveryDetail>('GET', `/api/v1/deliveries/${result.body.deliveryId}`)
    ).body;
    expect(detail).toMatchObject({ kind: 'test', status: 'sent', attempts: 1 });
  });

  it('checks templates strictly at save time and renders them with their time zone', async () => {
    const misspelled = await call<{ message: string }>('POST', '/api/v1/templates', {
      name: 'Broken',
      channelType: 'email',
      firing: { subject: '{{ruleName}}', text: 'Why: {{reson}}' },
      resolved: { subject: 'ok', text: 'ok' },
    });
    expect(misspelled.status).toBe(400);
    expect(misspelled.body.message).toBe(
      'firing.text: unknown variable or helper "reson" (line 1, column 8)',
    );
    const badBlock = await call<{ message: string }>('POST', '/api/v1/templates', {
      name: 'Broken',
      channelType: 'email',
      firing: { subject: '{{#if repat}}again {{/if}}{{ruleName}}', text: 'x' },
      resolved: { subject: 'ok', text: 'ok' },
    });
    expect(badBlock.body.message).toBe(
      'firing.subject: unknown variable "repat" (line 1, column 7)',
    );
    const badJson = await call<{ message: string }>('POST', '/api/v1/templates', {
      name: 'Broken hook',
      channelType: 'webhook',
      firing: { body: '{"text": "{{{reason}}} {{{samples.0.message}}}"}' },
      resolved: { body: '{}' },
    });
    expect(badJson.status).toBe(400);
    expect(badJson.body.message).toMatch(/^firing\.body: /);

    const template = {
      name: 'Berlin ops',
      channelType: 'email',
      timeZone: 'Europe/Berlin',
      firing: {
        subject:
          '{{upper severity}}: {{truncate ruleName 40}} since {{date startedAt "HH:mm zzz"}}',
        text: '{{reason}}\n{{pluralize sampleCount "line"}}:\n{{#each samples}}{{date ts "HH:mm:ss"}} {{message}}\n{{/each}}',
        html: '<p>{{reason}}</p><ul>{{#each samples}}<li>{{message}}</li>{{/each}}</ul>',
      },
      resolved: { subject: 'Resolved: {{ruleName}} after {{durationText}}', text: '{{reason}}' },
    };
    const preview = await call<TemplatePreviewResponse>(
      'POST',
      '/api/v1/templates/preview',
      template,
    );
    expect(preview.status).toBe(200);
    expect(preview.body.firing.subject).toBe('HIGH: Checkout errors since 10:14 GMT+1');
    expect(preview.body.resolved.subject).toBe('Resolved: Checkout errors after 12m 5s');
    expect(preview.body.firing.html).toContain('&lt;script&gt;');
    expect(preview.body.summary.subject).toBe(
      '[Lookout] 2 notifications held back on On-call email',
    );

    const created = await call<NotificationTemplate>('POST', '/api/v1/templates', template);
    expect(created.status).toBe(201);
    expect(created.body.builtIn).toBe(false);
    const builtins = (await call<NotificationTemplate[]>('GET', '/api/v1/templates')).body
      .filter((t) => t.builtIn)
      .map((t) => t.id);
    expect(builtins).toEqual(['builtin-email', 'builtin-json', 'builtin-slack', 'builtin-teams']);
    expect((await call('PATCH', '/api/v1/templates/builtin-email', { name: 'mine' })).status).toBe(
      400,
    );

    const wrongType = await call('PATCH', `/api/v1/channels/${oncall.id}`, {
      templateId: 'builtin-slack',
    });
    expect(wrongType.status).toBe(400);
    await call('PATCH', `/api/v1/channels/${oncall.id}`, { templateId: created.body.id });
    const notification = alert({
      ruleName: 'Templated rule',
      startedAt: '2026-07-01T08:00:00.000Z',
    });
    await producer.notifyAlert(notification);
    const mail = await mailFor('Templated rule');
    expect(mail.parsed.subject).toBe('CRITICAL: Templated rule since 10:00 GMT+2');
    expect(mail.parsed.text).toContain(`2 lines:\n10:13:58 ${HOSTILE}`);

    expect((await call('DELETE', `/api/v1/templates/${created.body.id}`)).status).toBe(409);
    await call('PATCH', `/api/v1/channels/${oncall.id}`, { templateId: null });
    expect((await call('DELETE', `/api/v1/templates/${created.body.id}`)).status).toBe(204);
  });

  it('lets viewers read, editors change channels and recipients, and only admins change templates', async () => {
    const user = async (username: string, role: string) => {
      const created = await call('POST', '/api/v1/users', {
        username,
        password: 'password-123',
        role,
      });
      expect(created.status).toBe(201);
      return system.login(username, 'password-123');
    };
    const viewer = await user('vera', 'viewer');
    const editor = await user('eddie', 'editor');
    expect((await call('GET', '/api/v1/channels', undefined, viewer)).status).toBe(200);
    expect((await call('GET', '/api/v1/deliveries', undefined, viewer)).status).toBe(200);
    expect((await call('GET', '/api/v1/recipients', undefined, viewer)).status).toBe(200);
    expect(
      (await call('POST', '/api/v1/recipients', { addresses: 'v@example.com' }, viewer)).status,
    ).toBe(403);
    expect(
      (await call('POST', `/api/v1/channels/${oncall.id}/test`, undefined, viewer)).status,
    ).toBe(403);
    expect(
      (await call('POST', '/api/v1/recipients', { addresses: 'e@example.com' }, editor)).status,
    ).toBe(201);
    expect(
      (await call('PATCH', `/api/v1/channels/${oncall.id}`, { enabled: true }, editor)).status,
    ).toBe(200);
    const template = {
      name: 'Editor template',
      channelType: 'email',
      firing: { subject: 'x', text: 'x' },
      resolved: { subject: 'x', text: 'x' },
    };
    expect((await call('POST', '/api/v1/templates', template, editor)).status).toBe(403);
    expect((await call('GET', '/api/v1/templates', undefined, editor)).status).toBe(200);
  });
});
