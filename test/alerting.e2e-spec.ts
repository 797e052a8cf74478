import type {
  AlertDetail,
  AlertListResponse,
  AlertNotification,
  AlertRule,
  AlertRuleInput,
  Silence,
} from '@app/contracts';
import { QueueName, QueueProducer } from '@app/queue';
import { createTestEnv, startSystem, waitFor, type TestEnv, type TestSystem } from '@app/testing';
import { QueueEvents } from 'bullmq';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Alerting end to end: rules over the API, lines ingested over HTTP, alerts from the worker. */
describe('alerting (real api + worker, Postgres, Redis)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let token: string;
  let apiKey: string;
  let queueEvents: QueueEvents;
  /** Every alert notification the worker put on the notifications queue, in order. */
  const sent: AlertNotification[] = [];
  /** Job ids BullMQ reports as added to the notifications queue. */
  const queued = new Set<string>();

  const call = async <T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    credential = token,
  ): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${system.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${credential}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };

  /** Posts NDJSON lines (objects) or text lines to a source and waits until they are stored. */
  const ingest = async (source: string, lines: (string | Record<string, unknown>)[]) => {
    const ndjson = lines.some((line) => typeof line !== 'string');
    const response = await fetch(`${system.baseUrl}/api/v1/ingest?source=${source}`, {
      method: 'POST',
      headers: {
        'x-api-key': apiKey,
        'content-type': ndjson ? 'application/x-ndjson' : 'text/plain',
      },
      body: lines
        .map((line) => (typeof line === 'string' ? line : JSON.stringify(line)))
        .join('\n'),
    });
    expect(response.status).toBe(202);
    // A batch is evaluated before its job completes: drained means evaluated.
    await system.drain();
  };

  /** Creates a rule and waits until a worker has evaluated it (its health says so). */
  const createRule = async (
    input: Partial<AlertRuleInput> & Pick<AlertRuleInput, 'type' | 'settings'>,
  ) => {
    const response = await call<AlertRule>('POST', '/api/v1/alert-rules', {
      name: `rule ${Math.random().toString(36).slice(2)}`,
      query: '',
      severity: 'high',
      ...input,
    });
    expect(response.status).toBe(201);
    const created = Date.now();
    await waitFor(async () => {
      const { body } = await call<AlertRule>('GET', `/api/v1/alert-rules/${response.body.id}`);
      return (
        body.health.lastEvaluatedAt !== null && Date.parse(body.health.lastEvaluatedAt) >= created
      );
    }, 'the rule to be evaluated by a worker');
    return response.body;
  };

  const alertsOf = async (ruleId: string, query = '') =>
    (await call<AlertListResponse>('GET', `/api/v1/alerts?ruleId=${ruleId}${query}`)).body.items;
  const detail = async (id: string) =>
    (await call<AlertDetail>('GET', `/api/v1/alerts/${id}`)).body;
  const sentFor = (ruleId: string) => sent.filter((notification) => notification.ruleId === ruleId);

  beforeAll(async () => {
    testEnv = createTestEnv('alerting');
    system = await startSystem(testEnv);
    token = await system.login();
    apiKey = await system.createApiKey(token, 'alerting shipper');
    // Record what the worker (and the api, which resolves alerts of changed rules) sends, and
    // still send it.
    for (const app of [system.worker!, system.api]) {
      const producer = app.get(QueueProducer);
      const notifyAlert = producer.notifyAlert.bind(producer);
      jest.spyOn(producer, 'notifyAlert').mockImplementation(async (notification) => {
        sent.push(notification);
        await notifyAlert(notification);
      });
    }
    const { connection, prefix } = redisSettings(testEnv);
    queueEvents = new QueueEvents(QueueName.Notifications, { connection, prefix });
    queueEvents.on('added', ({ jobId }) => queued.add(jobId));
    await queueEvents.waitUntilReady();
  });

  afterAll(async () => {
    await queueEvents?.close();
    await system?.close();
    await testEnv?.cleanup();
  });

  describe('rules API', () => {
    it('refuses invalid rules with a 400 that says what to fix', async () => {
      const base = { name: 'bad', severity: 'high', type: 'threshold', query: '' };
      const badQuery = await call<{ message: string; position: number }>(
        'POST',
        '/api/v1/alert-rules',
        {
          ...base,
          query: 'level:error AND (',
          settings: { threshold: 1, windowSeconds: 60 },
        },
      );
      expect(badQuery.status).toBe(400);
      expect(badQuery.body.message).toMatch(/^Invalid query: at position 17/);
      expect(badQuery.body.position).toBe(17);
      const badSetting = await call<{ message: string }>('POST', '/api/v1/alert-rules', {
        ...base,
        settings: { threshold: 1, windowSeconds: 60, windowMinutes: 1 },
      });
      expect(badSetting.status).toBe(400);
      expect(badSetting.body.message).toContain(
        'threshold rules have no setting settings.windowMinutes',
      );
      const missing = await call<{ message: string }>('POST', '/api/v1/alert-rules', {
        ...base,
        settings: { windowSeconds: 60 },
      });
      expect(missing.body).toMatchObject({
        statusCode: 400,
        error: 'Bad Request',
        message: 'settings.threshold is required',
      });
      const badType = await call<{ message: string[] }>('POST', '/api/v1/alert-rules', {
        ...base,
        type: 'telepathy',
        groupBy: ['user'],
        settings: {},
      });
      expect(badType.status).toBe(400);
      expect(badType.body.message).toContain(
        'type must be one of threshold, pattern, anomaly, absence',
      );
      const badGroup = await call<{ message: string }>('POST', '/api/v1/alert-rules', {
        ...base,
        groupBy: ['user'],
        settings: { threshold: 1, windowSeconds: 60 },
      });
      expect(badGroup.body.message).toMatch(/^groupBy field "user" is unknown/);
      expect(
        (await call('GET', '/api/v1/alert-rules/6d0b1f4e-3c8a-4d7e-9a55-0c2f8e9b1a77')).status,
      ).toBe(404);
    });

    it('lets API keys (viewer) read rules and alerts but not change them', async () => {
      expect((await call('GET', '/api/v1/alert-rules', undefined, apiKey)).status).toBe(200);
      expect((await call('GET', '/api/v1/alerts', undefined, apiKey)).status).toBe(200);
      const create = await call(
        'POST',
        '/api/v1/alert-rules',
        {
          name: 'by key',
          type: 'pattern',
          severity: 'low',
          query: 'x',
          settings: {},
        },
        apiKey,
      );
      expect(create.status).toBe(403);
      expect(
        (
          await call(
            'POST',
            '/api/v1/silences',
            { endsAt: new Date(Date.now() + 60_000).toISOString() },
            apiKey,
          )
        ).status,
      ).toBe(403);
    });
  });

  it('seed case: more than 10 errors in the window fires once with its evidence and value, and resolves after the window', async () => {
    const rule = await createRule({
      name: 'more than 10 errors',
      query: 'level:error',
      type: 'threshold',
      severity: 'critical',
      sampleSize: 20,
      recipients: ['oncall@example.com'],
      // The seed case is "per minute"; a 3 s window keeps the test short.
      settings: { threshold: 10, windowSeconds: 3 },
    });
    const errors = Array.from({ length: 10 }, (_, i) => `ERROR payment failed for order ${i}`);
    await ingest('seed', [...errors, 'INFO user signed in', 'WARN disk 91% full']);
    expect(await alertsOf(rule.id)).toEqual([]);

    await ingest('seed', ['ERROR payment failed for order 10', 'INFO all good']);
    const [alert] = await alertsOf(rule.id);
    expect(alert).toMatchObject({
      state: 'firing',
      value: 11,
      threshold: 10,
      comparison: '>',
      severity: 'critical',
      groupKey: '',
      reason: '11 lines matching level:error in the last 3s, > 10',
    });
    const fired = await detail(alert.id);
    expect(fired.transitions.map((transition) => [transition.from, transition.to])).toEqual([
      [null, 'firing'],
    ]);
    const messages = fired.samples.map((sample) => sample.message).sort();
    expect(messages).toEqual([...errors, 'ERROR payment failed for order 10'].sort());
    for (const sample of fired.samples) {
      expect(sample.level).toBe('error');
      expect(sample.source).toBe('seed');
      expect(sample.id).toMatch(/^\d+$/);
      expect(sample.highlights).toEqual([]); // level:error has no words to highlight
    }

    // The notification went to the queue with everything a template needs.
    const [firing] = sentFor(rule.id);
    expect(firing).toMatchObject({
      alertId: alert.id,
      ruleId: rule.id,
      ruleName: 'more than 10 errors',
      ruleType: 'threshold',
      severity: 'critical',
      state: 'firing',
      query: 'level:error',
      group: {},
      groupKey: '',
      value: 11,
      threshold: 10,
      comparison: '>',
      reason: alert.reason,
      resolvedAt: null,
      channelIds: [],
      recipients: ['oncall@example.com'],
    });
    expect(firing.samples).toHaveLength(11);
    expect(firing.transitionId).toBe(fired.transitions[0].id);
    await waitFor(
      async () => queued.has(firing.transitionId),
      'the job on the notifications queue',
    );

    // More errors while firing: no second alert, no second notification.
    await ingest('seed', ['ERROR again', 'ERROR and again']);
    expect(await alertsOf(rule.id)).toHaveLength(1);
    expect(sentFor(rule.id)).toHaveLength(1);

    // The window passes: resolved, and said so.
    await waitFor(
      async () => (await alertsOf(rule.id))[0].state === 'resolved',
      'the alert to resolve',
      15_000,
    );
    const resolved = await detail(alert.id);
    expect(resolved.transitions.map((transition) => transition.to)).toEqual(['firing', 'resolved']);
    expect(resolved.resolvedAt).not.toBeNull();
    expect(resolved.reason).toMatch(/^\d+ lines? matching level:error in the last 3s, ≤ 10$/);
    expect(resolved.notifications).toBe(2);
    const notifications = sentFor(rule.id);
    expect(notifications.map((notification) => notification.state)).toEqual(['firing', 'resolved']);
    expect(notifications[1].resolvedAt).toBe(resolved.resolvedAt);
    await waitFor(
      async () => queued.has(notifications[1].transitionId),
      'the resolution on the queue',
    );

    // Health, history filters, metrics.
    const { body: health } = await call<AlertRule>('GET', `/api/v1/alert-rules/${rule.id}`);
    expect(health.health).toMatchObject({ firesLast7Days: 1, openAlerts: 0, flapping: false });
    expect(health.health.lastMatchedAt).not.toBeNull();
    expect(await alertsOf(rule.id, '&state=resolved&severity=critical')).toHaveLength(1);
    expect(await alertsOf(rule.id, '&state=firing')).toHaveLength(0);
    expect(
      await alertsOf(
        rule.id,
        `&from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
      ),
    ).toHaveLength(0);
    const metrics = await (await fetch(`${system.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/lookout_alert_transitions_total\{to="firing"\} [1-9]/);
    expect(metrics).toMatch(/lookout_alert_evaluation_seconds_count\{path="batch"\} [1-9]/);
  });

  it('group-by: one alert per host, each with only its own lines', async () => {
    const rule = await createRule({
      query: 'source:grouped level:error',
      type: 'threshold',
      groupBy: ['host'],
      settings: { threshold: 2, windowSeconds: 5 },
    });
    const lines = (host: string, count: number) =>
      Array.from({ length: count }, (_, i) => ({
        level: 'error',
        host,
        msg: `upstream timeout on ${host} #${i}`,
      }));
    await ingest('grouped', [...lines('web-1', 4), ...lines('web-2', 2), ...lines('web-3', 5)]);
    const alerts = await alertsOf(rule.id);
    expect(alerts.map((alert) => alert.groupKey).sort()).toEqual(['host=web-1', 'host=web-3']);
    for (const alert of alerts) {
      const host = alert.group.host;
      expect(alert.reason).toBe(
        `${host === 'web-1' ? 4 : 5} lines matching source:grouped level:error in the last 5s, > 2 (host=${host})`,
      );
      const { samples } = await detail(alert.id);
      expect(samples.length).toBe(host === 'web-1' ? 4 : 5);
      expect(samples.every((sample) => sample.host === host)).toBe(true);
      const notification = sentFor(rule.id).find((sent) => sent.alertId === alert.id);
      expect(notification?.group).toEqual({ host });
      expect(notification?.samples.every((sample) => sample.host === host)).toBe(true);
    }
    expect(await alertsOf(rule.id, '&group=host%3Dweb-3')).toHaveLength(1);
  });

  it('pattern: fires on the first line, folds the burst, resolves after a quiet coalescing window', async () => {
    const rule = await createRule({
      query: 'OutOfMemoryError',
      type: 'pattern',
      settings: { coalesceSeconds: 2 },
    });
    await ingest('jvm', ['java.lang.OutOfMemoryError: Java heap space', 'GC overhead fine']);
    const [alert] = await alertsOf(rule.id);
    expect(alert).toMatchObject({ state: 'firing', value: 1 });
    const [sample] = (await detail(alert.id)).samples;
    expect(sample.message.slice(...sample.highlights[0])).toBe('OutOfMemoryError');
    await ingest('jvm', ['java.lang.OutOfMemoryError: Metaspace']);
    await ingest('jvm', ['java.lang.OutOfMemoryError: unable to create native thread']);
    expect(await alertsOf(rule.id)).toHaveLength(1);
    expect(sentFor(rule.id)).toHaveLength(1);
    await waitFor(
      async () => (await alertsOf(rule.id))[0].state === 'resolved',
      'the burst to end',
      15_000,
    );
    const [ended] = await alertsOf(rule.id);
    expect(ended.value).toBe(3);
    expect(ended.reason).toBe('no new lines matching OutOfMemoryError for 2s; 3 in this burst');
    expect((await detail(ended.id)).samples).toHaveLength(3);
    // The next line is a new burst: a new alert.
    await ingest('jvm', ['java.lang.OutOfMemoryError: again']);
    expect((await alertsOf(rule.id)).map((alert) => alert.state)).toEqual(['firing', 'resolved']);
  });

  it('absence: fires when a source goes silent, resolves when it is back', async () => {
    const rule = await createRule({
      query: 'source:heartbeat',
      type: 'absence',
      settings: { windowSeconds: 2 },
    });
    for (let i = 0; i < 8; i++) {
      await ingest('heartbeat', [`beat ${i}`]);
      await sleep(300);
    }
    expect(await alertsOf(rule.id)).toEqual([]);
    const alert = await waitFor(
      async () => (await alertsOf(rule.id))[0],
      'the absence alert',
      10_000,
    );
    expect(alert.state).toBe('firing');
    expect(alert.reason).toMatch(
      /^0 lines matching source:heartbeat in the last 2s, < 1; last line \d+s ago$/,
    );
    // The evidence is the last lines the source sent.
    expect((await detail(alert.id)).samples[0].message).toBe('beat 7');
    await ingest('heartbeat', ['beat again']);
    const [back] = await alertsOf(rule.id);
    expect(back.state).toBe('resolved');
  });

  it('anomaly: a never-seen log template after the warm-up fires, known ones do not', async () => {
    const rule = await createRule({
      query: 'source:templates',
      type: 'anomaly',
      settings: { mode: 'template', warmupSeconds: 2, coalesceSeconds: 2, spikes: false },
    });
    const known = (i: number) => [
      `User user${i} logged in from 10.0.0.${i}`,
      `Cache miss for key session:${i}`,
      `Request ${i} served in ${i * 3} ms`,
    ];
    await ingest('templates', [...known(1), ...known(2), 'Disk /dev/sda1 is 91% full']);
    await sleep(2500);
    await ingest('templates', [...known(3), ...known(4), 'Disk /dev/sdb2 is 95% full']);
    expect(await alertsOf(rule.id)).toEqual([]);
    await ingest('templates', [...known(5), 'Payment provider returned HTTP 502 for order 77']);
    const [alert] = await alertsOf(rule.id);
    expect(alert).toMatchObject({ state: 'firing', value: 1, groupKey: 'source=templates' });
    expect(alert.reason).toBe('1 new log template within 1s (source=templates)');
    const { samples } = await detail(alert.id);
    expect(samples.map((sample) => sample.message)).toEqual([
      'Payment provider returned HTTP 502 for order 77',
    ]);
    await waitFor(
      async () => (await alertsOf(rule.id))[0].state === 'resolved',
      'the alert to resolve',
      15_000,
    );
  });

  it('silences: a silenced transition is stored, marked, and not sent; others are', async () => {
    const rule = await createRule({
      query: 'kernel panic',
      type: 'pattern',
      groupBy: ['host'],
      settings: { coalesceSeconds: 30 },
    });
    const silenceResponse = await call<Silence>('POST', '/api/v1/silences', {
      ruleId: rule.id,
      matchers: { host: 'db-*' },
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      comment: 'maintenance of the databases',
    });
    expect(silenceResponse.status).toBe(201);
    const silence = silenceResponse.body;
    expect(silence).toMatchObject({ active: true, createdBy: 'admin', matchers: { host: 'db-*' } });
    await ingest('kernel', [
      { host: 'db-1', msg: 'kernel panic - not syncing' },
      { host: 'app-1', msg: 'kernel panic - not syncing' },
    ]);
    const alerts = await alertsOf(rule.id);
    expect(alerts.map((alert) => alert.groupKey).sort()).toEqual(['host=app-1', 'host=db-1']);
    const silenced = await detail(alerts.find((alert) => alert.group.host === 'db-1')!.id);
    expect(silenced.transitions[0]).toMatchObject({
      to: 'firing',
      notify: false,
      silencedBy: silence.id,
    });
    expect(silenced.notifications).toBe(0);
    expect(sentFor(rule.id).map((notification) => notification.group)).toEqual([{ host: 'app-1' }]);

    // Once the silence ends, the alert still firing is notified.
    const expired = await call<Silence>('DELETE', `/api/v1/silences/${silence.id}`);
    expect(expired.body.active).toBe(false);
    await waitFor(
      async () => sentFor(rule.id).some((notification) => notification.group.host === 'db-1'),
      'the held-back notification',
    );
    const audit = await call<{ action: string }[]>(
      'GET',
      `/api/v1/audit?entityType=silence&entityId=${silence.id}`,
    );
    expect(audit.body.map((entry) => entry.action)).toEqual(['silence.expire', 'silence.create']);
  });

  it('acknowledge: who and when, once; editors only', async () => {
    const rule = await createRule({
      query: 'segfault',
      type: 'pattern',
      settings: { coalesceSeconds: 60 },
    });
    await ingest('ack', ['process 42 segfault at 0x0']);
    const [alert] = await alertsOf(rule.id);
    expect((await call('POST', `/api/v1/alerts/${alert.id}/acknowledge`, {}, apiKey)).status).toBe(
      403,
    );
    const acked = await call<AlertDetail>('POST', `/api/v1/alerts/${alert.id}/acknowledge`, {
      comment: 'on it',
    });
    expect(acked.status).toBe(200);
    expect(acked.body).toMatchObject({ acknowledgedBy: 'admin', acknowledgeComment: 'on it' });
    expect(Date.parse(acked.body.acknowledgedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    const again = await call<{ message: string }>(
      'POST',
      `/api/v1/alerts/${alert.id}/acknowledge`,
      {},
    );
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/^The alert was acknowledged by admin at /);
  });

  it('changing, disabling or deleting a rule resolves its open alerts and is audited', async () => {
    const rule = await createRule({
      query: 'deadlock',
      type: 'pattern',
      settings: { coalesceSeconds: 60 },
    });
    await ingest('db', ['deadlock detected']);
    expect((await alertsOf(rule.id))[0].state).toBe('firing');
    const renamed = await call<AlertRule>('PATCH', `/api/v1/alert-rules/${rule.id}`, {
      name: 'deadlocks',
      severity: 'low',
    });
    expect(renamed.body).toMatchObject({ name: 'deadlocks', severity: 'low', revision: 1 });
    expect((await alertsOf(rule.id))[0].state).toBe('firing'); // nothing evaluated changed
    const changed = await call<AlertRule>('PATCH', `/api/v1/alert-rules/${rule.id}`, {
      settings: { coalesceSeconds: 30 },
    });
    expect(changed.body).toMatchObject({
      revision: 2,
      settings: { coalesceSeconds: 30, maxHoldSeconds: 3600, maxEntries: 1000 },
    });
    const [resolved] = await alertsOf(rule.id);
    expect(resolved.state).toBe('resolved');
    expect(resolved.reason).toBe('The rule was changed; it is evaluated afresh');
    expect(sentFor(rule.id).map((notification) => notification.state)).toEqual([
      'firing',
      'resolved',
    ]);
    expect((await call('DELETE', `/api/v1/alert-rules/${rule.id}`)).status).toBe(204);
    expect((await call('GET', `/api/v1/alert-rules/${rule.id}`)).status).toBe(404);
    // The history stays.
    expect((await detail(resolved.id)).ruleId).toBeNull();
    const audit = await call<{ action: string }[]>(
      'GET',
      `/api/v1/audit?entityType=alert-rule&entityId=${rule.id}`,
    );
    expect(audit.body.map((entry) => entry.action)).toEqual([
      'alert-rule.delete',
      'alert-rule.update',
      'alert-rule.update',
      'alert-rule.create',
    ]);
  });
});

function redisSettings(testEnv: TestEnv) {
  const url = new URL(testEnv.env.REDIS_URL);
  return {
    connection: { host: url.hostname, port: Number(url.port || 6379) },
    prefix: testEnv.env.REDIS_PREFIX,
  };
}
