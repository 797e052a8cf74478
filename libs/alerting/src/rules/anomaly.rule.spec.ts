import { Replay } from '../backtest/replay';
import { compileTestRule, simulate, steady } from '../backtest/simulate.testing';
import { anomalyRule, numberReader } from './anomaly.rule';
import { groupFromEntries, parseGroupBy } from './group-by';
import type { Measurement } from './rule-type';

const shape = { groupBy: [], forSeconds: 0 };
const rate = (settings: Record<string, unknown>) => ({
  type: 'anomaly' as const,
  query: 'level:error',
  settings: {
    mode: 'rate',
    windowSeconds: 10,
    warmupSeconds: 60,
    alpha: 0.2,
    minCount: 5,
    ...settings,
  },
});

/** A seeded stream of about `perSecond` lines a second, with some noise. */
function noisy(start: number, end: number, perSecond: number, seed = 7): number[] {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const times: number[] = [];
  for (let second = start; second < end; second += 1000) {
    const count = Math.round(perSecond * (0.7 + 0.6 * random()));
    for (let i = 0; i < count; i++) times.push(second + Math.floor((i * 1000) / count));
  }
  return times;
}

describe('anomaly rule', () => {
  it('settings per mode, with defaults', () => {
    expect(anomalyRule.parseSettings({}, shape)).toEqual({
      mode: 'rate',
      windowSeconds: 60,
      zScore: 3,
      direction: 'up',
      minCount: 10,
      warmupSeconds: 3600,
      alpha: 0.1,
    });
    expect(
      anomalyRule.parseSettings({ mode: 'numeric', field: 'latency_ms' }, shape),
    ).toMatchObject({
      field: 'latency_ms',
      statistic: 'p95',
    });
    expect(() => anomalyRule.parseSettings({ mode: 'numeric' }, shape)).toThrow(
      'settings.field is required for numeric anomalies',
    );
    expect(() => anomalyRule.parseSettings({ mode: 'numeric', field: 'host' }, shape)).toThrow(
      'is not a number field',
    );
    expect(() => anomalyRule.parseSettings({ field: 'latency_ms' }, shape)).toThrow(
      'anomaly (mode rate) rules have no setting settings.field',
    );
    expect(() => anomalyRule.parseSettings({ alpha: 0 }, shape)).toThrow(
      'settings.alpha must be a number above 0',
    );
    expect(() =>
      anomalyRule.parseSettings(
        { mode: 'template' },
        { groupBy: parseGroupBy(['host']), forSeconds: 0 },
      ),
    ).toThrow('groupBy must be empty or ["source"]');
    const template = anomalyRule.parseSettings({ mode: 'template' }, shape);
    expect(anomalyRule.tracks(template, shape).map((track) => track.name)).toEqual([
      'new-template',
      'template-spike',
    ]);
    expect(
      anomalyRule.tracks({ ...template, spikes: false }, shape).map((track) => track.name),
    ).toEqual(['new-template']);
  });

  it('rate: a spike well above the learned baseline fires, and resolves when it passes', () => {
    const lines = [
      ...noisy(0, 200_000, 1),
      ...steady(200_000, 210_000, 200),
      ...noisy(210_000, 300_000, 1),
    ];
    const run = simulate(rate({}), { '': lines }, { to: 300_000 });
    expect(run.summary.map((entry) => entry.split('@')[0])).toEqual(['firing', 'resolved']);
    const [fired, resolved] = run.events;
    expect(fired.at).toBeGreaterThan(200_000);
    expect(fired.at).toBeLessThanOrEqual(203_000);
    expect(fired.verdict.comparison).toBe('>');
    expect(fired.verdict.value).toBeGreaterThan(fired.verdict.threshold ?? Infinity);
    expect(fired.reason).toMatch(
      /^\d+ lines matching level:error in the last 10s, [\d.]+σ above the baseline of [\d.]+ ± [\d.]+$/,
    );
    expect(resolved.at).toBeGreaterThan(210_000);
    expect(resolved.at).toBeLessThan(225_000);
  });

  it('rate: noise around the baseline does not fire', () => {
    expect(simulate(rate({}), { '': noisy(0, 600_000, 2, 3) }, { to: 600_000 }).events).toEqual([]);
  });

  it('rate: nothing fires during the warm-up', () => {
    const lines = [
      ...noisy(0, 40_000, 1),
      ...steady(40_000, 50_000, 100),
      ...noisy(50_000, 100_000, 1),
    ];
    expect(simulate(rate({}), { '': lines }, { to: 100_000 }).events).toEqual([]);
  });

  it('rate down: a drop fires (minCount applies to the baseline)', () => {
    const lines = [...noisy(0, 200_000, 3), ...noisy(260_000, 300_000, 3)];
    const run = simulate(rate({ direction: 'down' }), { '': lines }, { to: 300_000 });
    expect(run.summary.map((entry) => entry.split('@')[0])).toEqual(['firing', 'resolved']);
    expect(run.events[0].verdict.comparison).toBe('<');
    expect(run.events[0].at).toBeGreaterThan(200_000);
  });

  it('numeric: p95 latency per window against its baseline', () => {
    const rule = compileTestRule({
      type: 'anomaly',
      groupBy: ['path'],
      settings: {
        mode: 'numeric',
        field: 'latency_ms',
        windowSeconds: 60,
        warmupSeconds: 300,
        minCount: 5,
      },
    });
    const replay = new Replay({
      query: '',
      policy: { forMs: 0, repeatMs: 0 },
      from: 0,
      to: 30 * 60_000,
    });
    const windows = new Map<number, { stat: number; count: number }>();
    for (let k = 0; k < 30; k++)
      windows.set(k, { stat: k === 20 ? 900 : 100 + (k % 3) * 5, count: 50 });
    replay.valuesTrack(rule.tracks[0], {
      group: groupFromEntries([['path', '/api/orders']]),
      windows,
    });
    expect(replay.events.map((event) => [event.to, event.at / 60_000])).toEqual([
      ['firing', 21],
      ['resolved', 22],
    ]);
    expect(replay.events[0].reason).toMatch(
      /^p95 of latency_ms 900 in the last 1m, [\d.]+σ above the baseline of [\d.]+ ± [\d.]+ \(path=\/api\/orders\)$/,
    );
  });

  it('numeric verdicts need minCount values and a learned baseline', () => {
    const settings = anomalyRule.parseSettings(
      { mode: 'numeric', field: 'latency_ms', windowSeconds: 60, warmupSeconds: 0, minCount: 5 },
      shape,
    );
    const [track] = anomalyRule.tracks(settings, shape);
    const measurement: Measurement = {
      now: 600_000,
      windowStart: 540_000,
      windowEnd: 600_000,
      count: 50,
      stat: 500,
      baseline: { mean: 100, variance: 100, samples: 10 },
      firstSeen: 0,
      lastSeen: 599_000,
      activeSince: 0,
    };
    const context = { query: '', groupKey: '' };
    expect(track.verdict(measurement, context).breaching).toBe(true);
    expect(track.verdict({ ...measurement, count: 4 }, context).breaching).toBe(false);
    expect(
      track.verdict({ ...measurement, baseline: { mean: 100, variance: 100, samples: 1 } }, context)
        .breaching,
    ).toBe(false);
    // A flat baseline still needs a deviation of 5% of its mean per σ: 100 → 110 is 2σ.
    expect(
      track.verdict(
        { ...measurement, stat: 110, baseline: { mean: 100, variance: 0, samples: 10 } },
        context,
      ).breaching,
    ).toBe(false);
  });

  it('reads number fields: columns and JSON numbers only', () => {
    const read = numberReader('fields.duration');
    const line = { fields: { duration: 12.5 }, latencyMs: 3, statusCode: 200 } as never;
    expect(read(line)).toBe(12.5);
    expect(numberReader('fields.duration')({ fields: { duration: '12' } } as never)).toBeNull();
    expect(numberReader('latency_ms')(line)).toBe(3);
  });
});
