import { burst, compileTestRule, simulate, steady } from '../backtest/simulate.testing';
import { groupOf, parseGroupBy } from './group-by';
import { RuleSettingsError } from './rule-type';
import { thresholdRule } from './threshold.rule';

const SEED = { type: 'threshold' as const, settings: { threshold: 10, windowSeconds: 60 } };
const shape = { groupBy: [], forSeconds: 0 };

describe('threshold rule', () => {
  it('fills in defaults and refuses what it does not know', () => {
    expect(thresholdRule.parseSettings({ threshold: 10, windowSeconds: 60 }, shape)).toEqual({
      metric: 'count',
      operator: '>',
      threshold: 10,
      windowSeconds: 60,
    });
    expect(() => thresholdRule.parseSettings({ windowSeconds: 60 }, shape)).toThrow(
      'settings.threshold is required',
    );
    expect(() => thresholdRule.parseSettings({ threshold: 1, windowSeconds: 0 }, shape)).toThrow(
      RuleSettingsError,
    );
    expect(() =>
      thresholdRule.parseSettings({ threshold: 1, windowSeconds: 60, operator: '=>' }, shape),
    ).toThrow('settings.operator must be one of >, >=, <, <=, ==');
    expect(() =>
      thresholdRule.parseSettings({ threshold: 1, windowSeconds: 60, window: 5 }, shape),
    ).toThrow('threshold rules have no setting settings.window');
  });

  it('seed case: more than 10 errors a minute fires once at the 11th and resolves after the window', () => {
    const errors = burst(100_000, 11, 10_000); // 11 errors from 100 s to 109 s
    const run = simulate(SEED, { '': errors }, { to: 300_000 });
    expect(run.summary).toHaveLength(2);
    const [fired, resolved] = run.events;
    expect(fired.to).toBe('firing');
    expect(fired.verdict.value).toBe(11);
    expect(fired.verdict.threshold).toBe(10);
    expect(fired.reason).toBe('11 lines in the last 1m, > 10');
    // Fires in the step of the 11th line (109.1 s; steps are 3 s), not before.
    expect(fired.at).toBeGreaterThanOrEqual(errors[10]);
    expect(fired.at - errors[10]).toBeLessThanOrEqual(3000);
    // Resolves once the first error has left the 1 min window.
    expect(resolved.to).toBe('resolved');
    expect(resolved.at).toBeGreaterThanOrEqual(errors[0] + 60_000);
    expect(resolved.at).toBeLessThanOrEqual(errors[0] + 63_000);
    expect(resolved.notify).toBe(true);
    expect(run.notifications).toBe(2);
  });

  it('ten errors a minute, or eleven spread over more than a minute, do not fire', () => {
    expect(simulate(SEED, { '': burst(0, 10, 5000) }, { to: 120_000 }).events).toEqual([]);
    expect(simulate(SEED, { '': steady(0, 180_000, 7000) }, { to: 200_000 }).events).toEqual([]);
  });

  it('grouped: one alert per host, for the host that crossed the threshold only', () => {
    const run = simulate(
      { ...SEED, groupBy: ['host'] },
      { 'web-1': burst(10_000, 15, 5000), 'web-2': burst(10_000, 6, 5000) },
      { to: 200_000 },
    );
    expect(run.summary.map((entry) => entry.split('@')[0])).toEqual([
      'host=web-1 firing',
      'host=web-1 resolved',
    ]);
    expect(run.events[0].reason).toBe('15 lines in the last 1m, > 10 (host=web-1)');
  });

  it('rate: lines per second over the window', () => {
    const run = simulate(
      { type: 'threshold', settings: { metric: 'rate', threshold: 0.5, windowSeconds: 10 } },
      { '': steady(0, 30_000, 1000) /* 1 per second */ },
      { to: 60_000 },
    );
    expect(run.events[0].to).toBe('firing');
    expect(run.events[0].verdict.value).toBeGreaterThan(0.5);
    expect(run.events[0].reason).toMatch(/^[\d.]+ lines per second over the last 10s, > 0\.5$/);
  });

  it('"fewer than" waits one whole window, then fires while the count stays low', () => {
    const run = simulate(
      { type: 'threshold', settings: { operator: '<', threshold: 3, windowSeconds: 10 } },
      { '': [...steady(0, 30_000, 1000), ...steady(60_000, 90_000, 1000)] },
      { to: 100_000 },
    );
    // Busy until 30 s, quiet until 60 s, busy again.
    const [fired, resolved] = run.events;
    expect(fired.to).toBe('firing');
    expect(fired.at).toBeGreaterThan(30_000);
    expect(fired.at).toBeLessThanOrEqual(40_000);
    expect(resolved.to).toBe('resolved');
    expect(resolved.at).toBeGreaterThanOrEqual(60_000);
    expect(resolved.at).toBeLessThanOrEqual(64_000);
  });

  it('for: pending first, firing only if the condition holds that long', () => {
    const rule = { ...SEED, forSeconds: 20, settings: { threshold: 10, windowSeconds: 30 } };
    // A short spike (leaves the window after 30 s) and a long one.
    const short = simulate(rule, { '': burst(0, 12, 1000) }, { to: 60_000 });
    expect(short.summary.map((entry) => entry.split('@')[0])).toEqual([
      'pending',
      'firing',
      'resolved',
    ]);
    const blip = simulate({ ...rule, forSeconds: 40 }, { '': burst(0, 12, 1000) }, { to: 90_000 });
    expect(blip.summary.map((entry) => entry.split('@')[0])).toEqual(['pending', 'resolved']);
    expect(blip.notifications).toBe(0); // a pending alert that never fired says nothing
    expect(blip.fires).toBe(0);
  });

  it('repeat interval: notifies again while firing', () => {
    const run = simulate(
      { ...SEED, repeatIntervalSeconds: 60, settings: { threshold: 10, windowSeconds: 10 } },
      { '': steady(0, 200_000, 500) },
      { to: 260_000 },
    );
    const repeats = run.events.filter((event) => event.repeat);
    expect(run.fires).toBe(1);
    expect(repeats.length).toBe(3);
    expect(run.notifications).toBe(1 + repeats.length + 1);
  });

  it('groups lines by column or custom field, missing values as empty', () => {
    const fields = parseGroupBy(['host', 'fields.tenant']);
    const line = {
      id: '1',
      ts: '2026-01-01T00:00:00Z',
      receivedAt: '2026-01-01T00:00:00Z',
      level: 'error' as const,
      source: 'app',
      host: 'web,1',
      message: 'x',
      statusCode: null,
      method: null,
      path: null,
      latencyMs: null,
      fields: { tenant: 7 },
      parseError: null,
    };
    expect(groupOf(fields, line)).toEqual({
      values: { host: 'web,1', 'fields.tenant': '7' },
      key: 'host=web%2C1,fields.tenant=7',
    });
    expect(groupOf(parseGroupBy(['path']), line).key).toBe('path=');
    expect(() => parseGroupBy(['user'])).toThrow('groupBy field "user" is unknown');
    expect(() => compileTestRule({ ...SEED, query: 'level:(' })).toThrow(/position/);
  });
});
