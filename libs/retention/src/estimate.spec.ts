import { estimateStorage, type DaySize, type EstimateInput } from './estimate';

const DAY = 86_400_000;
const today = Date.parse('2026-11-21T00:00:00Z');

const day = (offset: number, bytes: number, hasRows = bytes > 40_000): DaySize => {
  const dayStart = today + offset * DAY;
  return {
    day: new Date(dayStart).toISOString().slice(0, 10),
    dayStart,
    partition: `logs_p${new Date(dayStart).toISOString().slice(0, 10).replace(/-/g, '')}`,
    bytes,
    rowsEstimate: null,
    hasRows,
  };
};

const input = (overrides: Partial<EstimateInput>): EstimateInput => ({
  now: today + DAY / 2,
  totalBytes: 0,
  diskBudgetBytes: null,
  maxAgeDays: null,
  days: [],
  defaultPartitionBytes: 0,
  oldestLine: null,
  linesLast5Minutes: 0,
  ...overrides,
});

describe('estimateStorage', () => {
  it('derives the ingest rate from today so far, less the size of an empty day', () => {
    const estimate = estimateStorage(
      input({
        totalBytes: 10_000_000_000,
        diskBudgetBytes: 20_000_000_000,
        maxAgeDays: 30,
        // Half of today gone: 1 GB grown on top of the 32 KB an empty day takes.
        days: [
          day(1, 32_000, false),
          day(0, 1_000_032_000),
          day(-1, 1_800_000_000),
          day(-2, 2_200_000_000),
        ],
        oldestLine: new Date(today - 2 * DAY),
        linesLast5Minutes: 30_000,
      }),
    );
    expect(estimate.ingestBytesPerDay).toBe(2_000_000_000);
    expect(estimate.bytesPerDay).toBe(2_000_000_000);
    expect(estimate.budgetDaysOfHistory).toBe(10);
    expect(estimate.daysUntilBudgetFull).toBe(5);
    expect(estimate.expectedHistoryDays).toBe(10); // the budget binds before the 30 days
    expect(estimate.historyDays).toBe(2.5);
    expect(estimate.ingestLinesPerSecond).toBe(100);
    expect(estimate.days.map((usage) => usage.day)).toEqual([
      '2026-11-22',
      '2026-11-21',
      '2026-11-20',
      '2026-11-19',
    ]);
  });

  it('uses the mean of the last complete days early in the day, and at most 7 of them', () => {
    const days = [day(0, 5_000_000)];
    for (let offset = 1; offset <= 10; offset++)
      days.push(day(-offset, offset <= 7 ? 700_000_000 : 1));
    const estimate = estimateStorage(
      input({ now: today + 10 * 60_000, days, diskBudgetBytes: 7_000_000_000, totalBytes: 0 }),
    );
    expect(estimate.bytesPerDay).toBe(700_000_000);
    expect(estimate.ingestBytesPerDay).toBe(700_000_000);
    expect(estimate.budgetDaysOfHistory).toBe(10);
  });

  it('skips empty days and says nothing it cannot know', () => {
    const estimate = estimateStorage(
      input({ days: [day(-1, 32_000, false), day(0, 32_000, false)] }),
    );
    expect(estimate.bytesPerDay).toBeNull();
    expect(estimate.ingestBytesPerDay).toBeNull();
    expect(estimate.budgetDaysOfHistory).toBeNull();
    expect(estimate.daysUntilBudgetFull).toBeNull();
    expect(estimate.expectedHistoryDays).toBeNull();
    expect(estimate.historyDays).toBeNull();
  });

  it('is over budget now when the data exceeds it', () => {
    const estimate = estimateStorage(
      input({
        days: [day(-1, 1_000_000_000)],
        totalBytes: 3_000_000_000,
        diskBudgetBytes: 2_000_000_000,
        maxAgeDays: 1,
      }),
    );
    expect(estimate.daysUntilBudgetFull).toBe(0);
    expect(estimate.expectedHistoryDays).toBe(1); // the age binds first
  });
});
