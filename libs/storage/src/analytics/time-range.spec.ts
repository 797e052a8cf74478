import {
  DAY_MS,
  isTimeExpression,
  MAX_AGGREGATION_SPAN_MS,
  parseTimeExpression,
  resolveTimeRange,
  TimeRangeError,
} from './time-range';

const NOW = new Date('2026-11-21T12:00:00Z');

describe('parseTimeExpression', () => {
  it.each([
    ['now', '2026-11-21T12:00:00.000Z'],
    ['now-15m', '2026-11-21T11:45:00.000Z'],
    ['now-24h', '2026-11-20T12:00:00.000Z'],
    ['now - 7d', '2026-11-14T12:00:00.000Z'],
    ['now-2w', '2026-11-07T12:00:00.000Z'],
    ['NOW-30s', '2026-11-21T11:59:30.000Z'],
    ['2026-11-20T10:00:00Z', '2026-11-20T10:00:00.000Z'],
    ['2026-11-20T10:00:00.123456Z', '2026-11-20T10:00:00.123Z'],
    ['2026-11-20T10:00:00+02:00', '2026-11-20T08:00:00.000Z'],
    ['2026-11-20T10:00', '2026-11-20T10:00:00.000Z'],
    ['2026-11-20', '2026-11-20T00:00:00.000Z'],
  ])('%s → %s', (text, iso) => {
    expect(parseTimeExpression(text, NOW)?.toISOString()).toBe(iso);
    expect(isTimeExpression(text)).toBe(true);
  });

  it.each(['yesterday', 'now+1h', 'now-1y', '2026-02-30', '2026-11-20T25:00:00Z', '', 'now-'])(
    'refuses %j',
    (text) => expect(parseTimeExpression(text, NOW)).toBeUndefined(),
  );
});

describe('resolveTimeRange', () => {
  const resolve = (from?: string, to?: string) =>
    resolveTimeRange({ from, to }, NOW, MAX_AGGREGATION_SPAN_MS);

  it('defaults to the last 24 hours', () => {
    expect(resolve()).toEqual({ from: new Date(NOW.getTime() - DAY_MS), to: NOW });
  });

  it('runs from `from` to now, or 24 hours up to `to`', () => {
    expect(resolve('now-1h')).toEqual({ from: new Date('2026-11-21T11:00:00Z'), to: NOW });
    expect(resolve(undefined, '2026-11-10T00:00:00Z')).toEqual({
      from: new Date('2026-11-09T00:00:00Z'),
      to: new Date('2026-11-10T00:00:00Z'),
    });
  });

  it('refuses an empty, reversed or too wide range with a message that says what to do', () => {
    expect(() => resolve('now', 'now-1h')).toThrow('from must be earlier than to');
    expect(() => resolve('now-40d')).toThrow(/spans 40 days; at most 31 days .*narrow from\/to/);
    expect(() => resolve('tomorrow')).toThrow(TimeRangeError);
  });
});
