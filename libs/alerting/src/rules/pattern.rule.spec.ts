import { burst, simulate, steady } from '../backtest/simulate.testing';
import { patternRule } from './pattern.rule';

const rule = (settings: Record<string, unknown>) => ({
  type: 'pattern' as const,
  query: 'OutOfMemoryError',
  settings,
});
const states = (summary: string[]) => summary.map((entry) => entry.split('@')[0]);

describe('pattern rule', () => {
  it('defaults, and refuses a `for` duration (it fires at once)', () => {
    expect(patternRule.parseSettings({}, { groupBy: [], forSeconds: 0 })).toEqual({
      coalesceSeconds: 60,
      maxHoldSeconds: 3600,
      maxEntries: 1000,
    });
    expect(() => patternRule.parseSettings({}, { groupBy: [], forSeconds: 5 })).toThrow(
      'pattern rules fire at once: forSeconds must be 0',
    );
    expect(() =>
      patternRule.parseSettings(
        { coalesceSeconds: 60, maxHoldSeconds: 30 },
        { groupBy: [], forSeconds: 0 },
      ),
    ).toThrow('settings.maxHoldSeconds must be a whole number from 60');
  });

  it('one line fires at once and resolves after a quiet coalescing window', () => {
    const run = simulate(rule({ coalesceSeconds: 10 }), { '': [5_200] }, { to: 60_000 });
    expect(run.summary).toEqual(['firing@6', 'resolved@16']);
    expect(run.events[0].reason).toBe('1 line matching OutOfMemoryError within 1s');
    expect(run.events[1].reason).toBe(
      'no new lines matching OutOfMemoryError for 10s; 1 in this burst',
    );
  });

  it('a burst folds into one alert, whose resolution counts its lines', () => {
    const run = simulate(
      rule({ coalesceSeconds: 10 }),
      { '': steady(0, 30_000, 2000) },
      { to: 90_000 },
    );
    expect(states(run.summary)).toEqual(['firing', 'resolved']);
    expect(run.events[1].verdict.value).toBe(15);
    expect(run.events[1].at).toBeGreaterThanOrEqual(28_000 + 10_000);
    expect(run.notifications).toBe(2);
  });

  it('an endless stream opens a new alert every maxHoldSeconds', () => {
    const run = simulate(
      rule({ coalesceSeconds: 10, maxHoldSeconds: 60 }),
      { '': steady(0, 200_000, 1000) },
      { to: 260_000 },
    );
    expect(run.fires).toBe(4);
    expect(
      run.events.filter((event) => event.reason.includes('longest an alert folds')),
    ).toHaveLength(3);
  });

  it('and one every maxEntries lines', () => {
    const run = simulate(
      rule({ coalesceSeconds: 10, maxEntries: 100 }),
      { '': burst(0, 250, 5000) },
      { to: 60_000 },
    );
    expect(run.fires).toBe(3);
    expect(
      run.events.filter((event) => event.reason.includes('most lines an alert takes')),
    ).toHaveLength(2);
  });

  it('grouped: each host has its own burst', () => {
    const run = simulate(
      { ...rule({ coalesceSeconds: 10 }), groupBy: ['host'] },
      { a: [1000, 3000], b: [2000] },
      { to: 40_000 },
    );
    expect(run.summary).toEqual(
      ['host=a firing@2', 'host=b firing@3', 'host=a resolved@14', 'host=b resolved@13'].sort(
        (x, y) => Number(x.split('@')[1]) - Number(y.split('@')[1]),
      ),
    );
  });
});
