import {
  autoInterval,
  bucketStart,
  bucketStarts,
  IntervalError,
  parseInterval,
  resolveInterval,
} from './intervals';

const HOUR = 3_600_000;

describe('intervals', () => {
  it('parses widths and names them canonically', () => {
    expect(parseInterval('5m')).toEqual({ label: '5m', seconds: 300 });
    expect(parseInterval('60m')).toEqual({ label: '1h', seconds: 3600 });
    expect(parseInterval('90s')).toEqual({ label: '90s', seconds: 90 });
    expect(parseInterval('1d')).toEqual({ label: '1d', seconds: 86_400 });
    expect(parseInterval('0m')).toBeUndefined();
    expect(parseInterval('1 fortnight')).toBeUndefined();
  });

  it.each([
    [HOUR, '1m', 60],
    [24 * HOUR, '15m', 96],
    [7 * 24 * HOUR, '2h', 84],
    [31 * 24 * HOUR, '8h', 93],
    [4.1 * HOUR, '3m', 82],
    [10 * 60_000, '10s', 60],
    [2 * HOUR, '2m', 60],
  ])('auto over %d ms → %s (%d buckets)', (span, label, buckets) => {
    const interval = autoInterval(span);
    expect(interval.label).toBe(label);
    expect(Math.ceil(span / (interval.seconds * 1000))).toBe(buckets);
  });

  it('keeps auto between 60 and 120 buckets for any range from a minute to a month', () => {
    for (let span = 60_000; span <= 31 * 24 * HOUR; span = Math.ceil(span * 1.07)) {
      const buckets = span / (autoInterval(span).seconds * 1000);
      expect(buckets).toBeGreaterThanOrEqual(60);
      expect(buckets).toBeLessThan(120);
    }
  });

  it('refuses an interval that would give too many buckets', () => {
    expect(() => resolveInterval('1s', 24 * HOUR)).toThrow(IntervalError);
    expect(() => resolveInterval('1s', 24 * HOUR)).toThrow(/86400 buckets/);
    expect(resolveInterval('auto', HOUR).label).toBe('1m');
    expect(resolveInterval(undefined, HOUR).label).toBe('1m');
  });

  it('aligns buckets to UTC midnight like date_bin with the same origin', () => {
    expect(new Date(bucketStart(Date.parse('2026-11-20T10:07:31Z'), 300)).toISOString()).toBe(
      '2026-11-20T10:05:00.000Z',
    );
    expect(new Date(bucketStart(Date.parse('2026-11-20T10:07:31Z'), 86_400)).toISOString()).toBe(
      '2026-11-20T00:00:00.000Z',
    );
    // 7d buckets start on a Monday (2026-11-16 is one).
    expect(new Date(bucketStart(Date.parse('2026-11-20T10:00:00Z'), 604_800)).toISOString()).toBe(
      '2026-11-16T00:00:00.000Z',
    );
    const starts = bucketStarts(
      new Date('2026-11-20T10:02:00Z'),
      new Date('2026-11-20T10:20:00Z'),
      300,
    ).map((ms) => new Date(ms).toISOString().slice(11, 16));
    expect(starts).toEqual(['10:00', '10:05', '10:10', '10:15']);
  });
});
