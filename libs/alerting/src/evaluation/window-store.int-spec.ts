import type { LogRecord } from '@app/contracts';
import { loadConfig } from '@app/config';
import { RedisService } from '@app/queue';
import { randomBytes } from 'node:crypto';
import { compileTestRule } from '../backtest/simulate.testing';
import type { Baseline } from '../rules/rule-type';
import { foldBaseline, statistic } from '../rules/windows';
import { WindowStore } from './window-store';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const T0 = Date.UTC(2030, 0, 1); // a whole second

let sequence = 0;
function line(ts: number, extra: Partial<LogRecord> = {}): LogRecord {
  sequence++;
  return {
    id: String(sequence),
    ts: new Date(ts).toISOString(),
    receivedAt: new Date(ts).toISOString(),
    level: 'error',
    source: 'app',
    host: 'web-1',
    message: `boom ${sequence}`,
    statusCode: null,
    method: null,
    path: null,
    latencyMs: null,
    fields: {},
    parseError: null,
    ...extra,
  };
}

/** The Lua script in Redis against the definitions in rules/windows.ts. */
describe('window store (real Redis)', () => {
  const prefix = `lookout-test-windows-${randomBytes(4).toString('hex')}`;
  const config = loadConfig({ REDIS_URL, REDIS_PREFIX: prefix });
  const redis = new RedisService(config);
  const other = new RedisService(config);
  const store = new WindowStore(redis);
  const otherStore = new WindowStore(other);

  afterAll(async () => {
    const keys = await redis.client.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.client.del(...keys);
    await redis.onApplicationShutdown();
    await other.onApplicationShutdown();
  });

  it('counts lines in a sliding window of whole-second buckets', async () => {
    const rule = compileTestRule({
      type: 'threshold',
      settings: { threshold: 1, windowSeconds: 3 },
    });
    const [track] = rule.tracks;
    const observe = async (now: number, times: number[]) =>
      (
        await store.observe(
          [{ rule, track, groupKey: '', lines: times.map((ts) => line(ts)) }],
          now,
        )
      )[0].measurement;
    expect((await observe(T0 + 500, [T0 + 100, T0 + 200, T0 + 300])).count).toBe(3);
    expect((await observe(T0 + 1500, [T0 + 1400])).count).toBe(4);
    // The window covers the current bucket and the two before it.
    const at2900 = await observe(T0 + 2900, []);
    expect(at2900).toMatchObject({
      count: 4,
      windowStart: T0,
      firstSeen: T0 + 100,
      lastSeen: T0 + 1400,
    });
    expect((await observe(T0 + 3100, [])).count).toBe(1);
    expect((await observe(T0 + 4000, [])).count).toBe(0);
    // A line from before the window is history: not counted.
    expect((await observe(T0 + 10_000, [T0 + 1000])).count).toBe(0);
    // A line from the future counts as now.
    expect((await observe(T0 + 11_000, [T0 + 99_000])).count).toBe(1);
  });

  it('learns the EWMA baseline one window at a time, empty windows included', async () => {
    const rule = compileTestRule({
      type: 'anomaly',
      settings: { mode: 'rate', windowSeconds: 2, alpha: 0.3, warmupSeconds: 0 },
    });
    const [track] = rule.tracks;
    const perWindow = [4, 6, 5, 0, 0, 9, 3];
    let now = T0 + 100;
    for (const [index, count] of perWindow.entries()) {
      now = T0 + index * 2000 + 100;
      const times = Array.from({ length: count }, (_, i) => now + i);
      await store.observe(
        [{ rule, track, groupKey: 'g', lines: times.map((ts) => line(ts)) }],
        now,
      );
    }
    const [{ measurement }] = await store.observe(
      [{ rule, track, groupKey: 'g', lines: [] }],
      now + 2000,
    );
    let expected: Baseline | null = null;
    for (const count of perWindow) expected = foldBaseline(expected, count, 0.3);
    expect(measurement.baseline?.samples).toBe(perWindow.length);
    expect(measurement.baseline?.mean).toBeCloseTo(expected?.mean ?? NaN, 9);
    expect(measurement.baseline?.variance).toBeCloseTo(expected?.variance ?? NaN, 9);
    // A long silence folds its empty windows too.
    const [later] = await store.observe(
      [{ rule, track, groupKey: 'g', lines: [] }],
      now + 2000 + 10 * 2000,
    );
    for (let i = 0; i < 10; i++) expected = foldBaseline(expected, 0, 0.3);
    expect(later.measurement.baseline?.samples).toBe(perWindow.length + 10);
    expect(later.measurement.baseline?.mean).toBeCloseTo(expected?.mean ?? NaN, 9);
  });

  it('computes window statistics of a number field', async () => {
    const rule = compileTestRule({
      type: 'anomaly',
      settings: { mode: 'numeric', field: 'latency_ms', statistic: 'p95', windowSeconds: 60 },
    });
    const [track] = rule.tracks;
    const latencies = Array.from({ length: 200 }, (_, i) => (i * 37) % 500);
    const lines = latencies.map((latencyMs, i) => line(T0 + i * 10, { latencyMs }));
    lines.push(line(T0 + 5, { latencyMs: null }));
    const [{ measurement }] = await store.observe(
      [{ rule, track, groupKey: '', lines }],
      T0 + 5000,
    );
    expect(measurement.count).toBe(200);
    expect(measurement.stat).toBe(statistic(latencies, 'p95'));
  });

  it('event tracks count lines since the last close', async () => {
    const rule = compileTestRule({ type: 'pattern', settings: { coalesceSeconds: 10 } });
    const [track] = rule.tracks;
    const observe = async (now: number, count: number) =>
      (
        await store.observe(
          [{ rule, track, groupKey: '', lines: Array.from({ length: count }, () => line(now)) }],
          now,
        )
      )[0].measurement;
    expect(await observe(T0 + 1000, 2)).toMatchObject({
      count: 2,
      windowStart: T0 + 1000,
      lastSeen: T0 + 1000,
    });
    expect(await observe(T0 + 4000, 3)).toMatchObject({
      count: 5,
      windowStart: T0 + 1000,
      lastSeen: T0 + 4000,
    });
    await store.clearHint(rule, track, '', 'no-such-alert');
    expect(await observe(T0 + 5000, 0)).toMatchObject({ count: 0, lastSeen: null });
    expect(await observe(T0 + 6000, 1)).toMatchObject({ count: 1, windowStart: T0 + 6000 });
  });

  it('keeps the open-alert hint of one alert at a time', async () => {
    const rule = compileTestRule({
      type: 'threshold',
      settings: { threshold: 1, windowSeconds: 60 },
    });
    const [track] = rule.tracks;
    const open = {
      alertId: 'a1',
      state: 'firing' as const,
      startedAt: T0,
      firedAt: T0,
      lastNotifiedAt: T0,
      acknowledged: false,
    };
    expect(await store.setHint(rule, track, 'h', open)).toBe(true);
    expect(await store.setHint(rule, track, 'h', { ...open, alertId: 'a2' })).toBe(false);
    expect(await store.setHint(rule, track, 'h', { ...open, alertId: 'a2' }, 'a1')).toBe(true);
    const [reading] = await store.observe([{ rule, track, groupKey: 'h', lines: [] }], T0);
    expect(reading.open).toEqual({ ...open, alertId: 'a2' });
    await store.clearHint(rule, track, 'h', 'a1');
    expect(
      (await store.observe([{ rule, track, groupKey: 'h', lines: [] }], T0))[0].open?.alertId,
    ).toBe('a2');
    await store.clearHint(rule, track, 'h', 'a2');
    expect(
      (await store.observe([{ rule, track, groupKey: 'h', lines: [] }], T0))[0].open,
    ).toBeNull();
  });

  it('loses no update when two workers add to the same group at once', async () => {
    const rule = compileTestRule({
      type: 'threshold',
      settings: { threshold: 1, windowSeconds: 60 },
    });
    const [track] = rule.tracks;
    const now = T0 + 30_000;
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        (i % 2 ? store : otherStore).observe(
          [{ rule, track, groupKey: 'x', lines: [line(now - i * 10)] }],
          now,
        ),
      ),
    );
    const [{ measurement }] = await store.observe([{ rule, track, groupKey: 'x', lines: [] }], now);
    expect(measurement.count).toBe(200);
    expect(await store.knownGroups(rule, track, now)).toContain('x');
    expect(await store.samples(rule, track, 'x', 0)).toHaveLength(10);
  });
});
