import { simulate, steady } from '../backtest/simulate.testing';
import { absenceRule } from './absence.rule';

const rule = (settings: Record<string, unknown>, groupBy: string[] = []) => ({
  type: 'absence' as const,
  query: 'source:billing',
  groupBy,
  settings,
});

describe('absence rule', () => {
  it('needs a window; forgets groups after a day by default', () => {
    expect(
      absenceRule.parseSettings({ windowSeconds: 300 }, { groupBy: [], forSeconds: 0 }),
    ).toEqual({
      minCount: 1,
      windowSeconds: 300,
      forgetAfterSeconds: 86_400,
    });
    expect(() => absenceRule.parseSettings({}, { groupBy: [], forSeconds: 0 })).toThrow(
      'settings.windowSeconds is required',
    );
  });

  it('fires one window after a source goes silent and resolves when it is back', () => {
    const lines = [...steady(0, 30_000, 1000), ...steady(60_000, 80_000, 1000)];
    const run = simulate(rule({ windowSeconds: 10 }), { '': lines }, { to: 85_000 });
    const [fired, resolved] = run.events;
    expect(fired.to).toBe('firing');
    expect(fired.at).toBeGreaterThanOrEqual(29_000 + 10_000);
    expect(fired.at).toBeLessThanOrEqual(29_000 + 11_000);
    expect(fired.reason).toMatch(
      /^0 lines matching source:billing in the last 10s, < 1; last line 1\d?s ago$/,
    );
    expect(resolved.to).toBe('resolved');
    expect(resolved.at).toBeGreaterThanOrEqual(60_000);
    expect(resolved.at).toBeLessThanOrEqual(61_000);
    expect(run.events).toHaveLength(2);
  });

  it('a source that never sent anything fires once the first window is over', () => {
    const run = simulate(rule({ windowSeconds: 10 }), { '': [] }, { to: 30_000 });
    expect(run.summary).toEqual(['firing@10']);
    expect(run.events[0].reason).toContain('no line seen yet');
  });

  it('at least minCount lines per window', () => {
    const run = simulate(
      rule({ windowSeconds: 10, minCount: 5 }),
      { '': steady(0, 60_000, 3000) /* 3 or 4 a window */ },
      { to: 60_000 },
    );
    expect(run.summary).toEqual(['firing@10']);
  });

  it('grouped: only the host that went silent, until it is forgotten', () => {
    const run = simulate(
      rule({ windowSeconds: 10, forgetAfterSeconds: 30 }, ['host']),
      { a: steady(0, 20_000, 1000), b: steady(0, 90_000, 1000) },
      { to: 90_000 },
    );
    expect(run.summary.map((entry) => entry.split('@')[0])).toEqual([
      'host=a firing',
      'host=a resolved',
    ]);
    expect(run.events[1].at).toBeGreaterThanOrEqual(19_000 + 30_000);
    expect(run.events[1].reason).toContain('forgotten');
  });
});
