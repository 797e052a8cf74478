import { durationToMs, secondsListToMs, secondsToMs } from './durations';

describe('durations', () => {
  it('turns nginx seconds into exact milliseconds', () => {
    expect(secondsToMs('0.123')).toBe(123);
    expect(secondsToMs('1.005')).toBe(1005);
    expect(secondsToMs('0.000')).toBe(0);
    expect(secondsToMs('-')).toBeUndefined();
    expect(secondsToMs('1e3')).toBeUndefined();
  });

  it('adds up one value per upstream try', () => {
    expect(secondsListToMs('0.100, 0.004')).toBe(104);
    expect(secondsListToMs('0.100, -')).toBe(100);
    expect(secondsListToMs('0.1 : 0.2')).toBe(300);
    expect(secondsListToMs('-')).toBeUndefined();
  });

  it('reads latency values and Go durations', () => {
    expect(durationToMs('1.2s')).toBe(1200);
    expect(durationToMs(15)).toBe(15);
    expect(durationToMs('250us')).toBe(0.25);
    expect(durationToMs('1m30.5s')).toBe(90_500);
    expect(durationToMs('2h3m')).toBe(7_380_000);
    expect(durationToMs('1.5µs')).toBeCloseTo(0.0015, 9);
    expect(durationToMs('soon')).toBeNull();
  });
});
