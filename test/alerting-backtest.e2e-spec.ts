import type { AlertRuleInput, BacktestResponse } from '@app/contracts';
import { createTestEnv, startSystem, type TestEnv, type TestSystem } from '@app/testing';
import { Client } from 'pg';

const MINUTE = 60_000;

/** Backtests replay history written straight into `logs` (no live evaluation sees it). */
describe('alert rule backtest (real api, Postgres)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let token: string;
  // Three hours ago, on a whole minute: inside today's or yesterday's partition.
  const base = Math.floor((Date.now() - 3 * 3_600_000) / MINUTE) * MINUTE;
  const at = (minutes: number, seconds = 0) => base + minutes * MINUTE + seconds * 1000;
  const iso = (time: number) => new Date(time).toISOString();

  const backtest = async (
    rule: Partial<AlertRuleInput> & Pick<AlertRuleInput, 'type' | 'settings'>,
    from = at(0),
    to = at(60),
  ) => {
    const response = await fetch(`${system.baseUrl}/api/v1/alert-rules/backtest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        rule: { name: 'backtest', severity: 'high', query: '', ...rule },
        from: iso(from),
        to: iso(to),
      }),
    });
    return {
      status: response.status,
      body: (await response.json()) as BacktestResponse & { message: string; position?: number },
    };
  };
  const timeline = (result: BacktestResponse) =>
    result.timeline.map(
      (event) =>
        `${event.groupKey ? `${event.groupKey} ` : ''}${event.to}@${Math.round((Date.parse(event.at) - base) / 1000)}`,
    );

  beforeAll(async () => {
    testEnv = createTestEnv('alerting_backtest');
    system = await startSystem(testEnv, { worker: false });
    token = await system.login();
    const rows: unknown[][] = [];
    const add = (time: number, level: number, host: string, message: string, source = 'app') =>
      rows.push([iso(time), level, source, host, message]);
    // Background: an info line every 10 s from each of three hosts for the hour.
    for (let second = 0; second < 3600; second += 10)
      for (const host of ['web-1', 'web-2', 'web-3'])
        add(at(0, second), 6, host, `GET /health 200 took ${second % 7} ms`);
    // web-1: two bursts of 15 errors in 20 s (minutes 10 and 40); web-2: 5 errors at minute 10.
    for (const minute of [10, 40])
      for (let i = 0; i < 15; i++)
        add(at(minute, i), 3, 'web-1', `upstream timeout after 30s (order ${minute * 100 + i})`);
    for (let i = 0; i < 5; i++)
      add(at(10, i * 2), 3, 'web-2', `upstream timeout after 30s (order ${900 + i})`);
    // "disk full" three times in a row, then once more much later.
    for (const time of [at(20), at(20, 5), at(20, 9), at(50)])
      add(time, 2, 'db-1', 'disk full on /var/lib/postgresql');
    // cron writes every minute except between minutes 30 and 35.
    for (let minute = 0; minute < 60; minute++)
      if (minute < 30 || minute >= 35) add(at(minute, 1), 6, 'cron-1', 'cron job finished', 'cron');
    // Templates: two known kinds, then a new one at minute 45.
    for (let minute = 0; minute < 60; minute += 2)
      add(at(minute, 30), 6, 'web-1', `User u${minute} logged in from 10.0.0.${minute}`, 'auth');
    add(at(45, 30), 6, 'web-1', 'Password reset requested for account 77', 'auth');
    // …and a storm of logins at minute 50: a known template far above its baseline.
    for (let i = 0; i < 20; i++)
      add(at(50, i), 6, 'web-2', `User bot${i} logged in from 10.9.9.${i}`, 'auth');

    const db = new Client({ connectionString: testEnv.databaseUrl });
    await db.connect();
    try {
      const values = rows.map(
        (_, i) =>
          `($${i * 5 + 1}::timestamptz, $${i * 5 + 1}::timestamptz, $${i * 5 + 2}, $${i * 5 + 3}, $${i * 5 + 4}, $${i * 5 + 5})`,
      );
      await db.query(
        `INSERT INTO logs (ts, received_at, level, source, host, message) VALUES ${values.join(', ')}`,
        rows.flat(),
      );
    } finally {
      await db.end();
    }
  });

  afterAll(async () => {
    await system?.close();
    await testEnv?.cleanup();
  });

  it('threshold per host: the fire/resolve timeline, the notifications, samples of that host', async () => {
    const { status, body } = await backtest({
      query: 'level:error timeout',
      type: 'threshold',
      groupBy: ['host'],
      settings: { threshold: 10, windowSeconds: 60 },
    });
    expect(status).toBe(200);
    expect(timeline(body)).toEqual([
      // Evaluated at the end of each 3 s step: the 11th error (610 s) is in the step ending at
      // 612 s; the window drops to 10 once the errors of 600–605 s have left it.
      'host=web-1 firing@612',
      'host=web-1 resolved@666',
      'host=web-1 firing@2412',
      'host=web-1 resolved@2466',
    ]);
    expect(body).toMatchObject({
      fires: 2,
      resolves: 2,
      notifications: 4,
      matchedLines: 35,
      groups: 2,
      stepSeconds: 3,
      truncated: false,
    });
    const [fired] = body.timeline;
    // The step ending at 612 s holds the errors of 600–611 s.
    expect(fired).toMatchObject({
      alertGroup: { host: 'web-1' },
      value: 12,
      threshold: 10,
      comparison: '>',
      notify: true,
    });
    expect(fired.reason).toBe(
      '12 lines matching level:error timeout in the last 1m, > 10 (host=web-1)',
    );
    expect(fired.samples).toHaveLength(10);
    for (const sample of fired.samples) {
      expect(sample.host).toBe('web-1');
      expect(sample.level).toBe('error');
      expect(sample.message.slice(...sample.highlights[0])).toBe('timeout');
      expect(Date.parse(sample.ts)).toBeLessThanOrEqual(Date.parse(fired.windowEnd));
    }
    expect(body.timeline[1].samples).toEqual([]); // only firing events carry samples
  });

  it('pattern: bursts coalesce; `for` and repeats change what would have been sent', async () => {
    const pattern = await backtest({
      query: '"disk full"',
      type: 'pattern',
      settings: { coalesceSeconds: 30 },
    });
    // 2 s steps: the burst of 1200–1209 s ends 30 s after the step of its last line.
    expect(timeline(pattern.body)).toEqual([
      'firing@1202',
      'resolved@1240',
      'firing@3002',
      'resolved@3032',
    ]);
    expect(pattern.body.timeline[0].samples.map((sample) => sample.message)).toEqual([
      'disk full on /var/lib/postgresql',
    ]);
    expect(pattern.body.timeline[1].value).toBe(3);

    const held = await backtest({
      query: 'level:error timeout',
      type: 'threshold',
      forSeconds: 30,
      repeatIntervalSeconds: 10,
      settings: { threshold: 10, windowSeconds: 60 },
    });
    // Pending at the 11th error, firing 30 s later, repeated every 10 s while firing.
    expect(
      held.body.timeline.map((event) => (event.repeat ? 'repeat' : event.to)).slice(0, 3),
    ).toEqual(['pending', 'firing', 'repeat']);
    expect(held.body.notifications).toBeGreaterThan(held.body.fires * 2);
  });

  it('absence: the gap in the cron lines', async () => {
    const { body } = await backtest({
      query: 'source:cron',
      type: 'absence',
      settings: { windowSeconds: 120 },
    });
    // The last line before the gap came at 1741 s: two minutes later (6 s steps) it is absent.
    expect(timeline(body)).toEqual(['firing@1866', 'resolved@2106']);
    expect(body.timeline[0].samples[0].message).toBe('cron job finished');
  });

  it('anomaly: a new log template after the warm-up', async () => {
    const { body } = await backtest({
      query: 'source:auth',
      type: 'anomaly',
      settings: { mode: 'template', warmupSeconds: 600, coalesceSeconds: 60, spikes: false },
    });
    expect(timeline(body)).toEqual(['source=auth firing@2733', 'source=auth resolved@2793']);
    expect(body.timeline[0].samples.map((sample) => sample.message)).toEqual([
      'Password reset requested for account 77',
    ]);
  });

  it('anomaly: a known template whose count spikes', async () => {
    const { body } = await backtest({
      query: 'source:auth',
      type: 'anomaly',
      settings: { mode: 'template', windowSeconds: 60, warmupSeconds: 600, minCount: 10 },
    });
    const spikes = body.timeline.filter((event) => event.groupKey === 'source=auth,template=0');
    expect(spikes.map((event) => event.to)).toEqual(['firing', 'resolved']);
    expect(Date.parse(spikes[0].at)).toBeGreaterThanOrEqual(at(50));
    expect(Date.parse(spikes[0].at)).toBeLessThanOrEqual(at(50, 30));
    expect(spikes[0].reason).toMatch(
      /^\d+ lines of template "User <\*> logged in from <\*>" in the last 1m, [\d.]+σ above the baseline of [\d.]+ ± [\d.]+ \(source=auth,template=0\)$/,
    );
    expect(spikes[0].samples.length).toBeGreaterThan(0);
    expect(spikes[0].samples.every((sample) => sample.message.startsWith('User '))).toBe(true);
    // The new template is still reported on its own.
    expect(
      body.timeline.filter((event) => event.groupKey === 'source=auth').map((event) => event.to),
    ).toEqual(['firing', 'resolved']);
  });

  it('refuses what it cannot replay with a 400', async () => {
    const query = await backtest({ query: 'level:(error', type: 'pattern', settings: {} });
    expect(query.status).toBe(400);
    expect(query.body.position).toBe(12);
    const long = await backtest({ type: 'pattern', settings: {} }, at(0) - 8 * 86_400_000, at(0));
    expect(long.body).toMatchObject({
      statusCode: 400,
      message: 'A backtest covers at most 7 days: narrow from/to',
    });
    const backwards = await backtest({ type: 'pattern', settings: {} }, at(10), at(5));
    expect(backwards.body.message).toBe('from must be earlier than to');
    const missing = await fetch(`${system.baseUrl}/api/v1/alert-rules/backtest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ rule: { type: 'pattern' }, from: 'yesterday', to: iso(at(5)) }),
    });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { message: string[] }).message).toEqual(
      expect.arrayContaining(['from must be an ISO 8601 date-time', 'rule.name must be a string']),
    );
  });
});
