import type { DayUsage, StorageEstimate } from '@app/contracts';

const DAY_MS = 86_400_000;
/** Days whose mean size is "bytes per day". */
const RECENT_DAYS = 7;
/** Before this much of today has passed, today's size says little about the day's rate. */
const MIN_ELAPSED_FOR_TODAY = 1 / 24;

export interface DaySize extends DayUsage {
  dayStart: number;
  /** Whether the day holds at least one line. */
  hasRows: boolean;
}

export interface EstimateInput {
  now: number;
  totalBytes: number;
  diskBudgetBytes: number | null;
  maxAgeDays: number | null;
  days: DaySize[];
  defaultPartitionBytes: number;
  oldestLine: Date | null;
  linesLast5Minutes: number;
}

/**
 * How much history is kept and for how long the budget lasts, from the sizes of the day
 * partitions. The current ingest rate is today's growth so far, extrapolated to a whole day
 * (less the fixed size of an empty day, taken from a future day's partition); early in the day
 * the mean of the last complete days stands in for it.
 */
export function estimateStorage(input: EstimateInput): StorageEstimate {
  const today = Math.floor(input.now / DAY_MS) * DAY_MS;
  const newestFirst = [...input.days].sort((a, b) => b.dayStart - a.dayStart);
  const complete = newestFirst
    .filter((day) => day.dayStart < today && day.hasRows)
    .slice(0, RECENT_DAYS);
  const bytesPerDay =
    complete.length > 0
      ? complete.reduce((sum, day) => sum + day.bytes, 0) / complete.length
      : null;

  const todayUsage = newestFirst.find((day) => day.dayStart === today);
  const emptyDay = newestFirst.find((day) => day.dayStart > today && !day.hasRows);
  const elapsed = (input.now - today) / DAY_MS;
  let ingestBytesPerDay: number | null = bytesPerDay;
  if (todayUsage?.hasRows && (elapsed >= MIN_ELAPSED_FOR_TODAY || bytesPerDay === null)) {
    const grown = Math.max(0, todayUsage.bytes - (emptyDay?.bytes ?? 0));
    ingestBytesPerDay = grown / Math.max(elapsed, 1 / 1440);
  }

  const budget = input.diskBudgetBytes;
  const rate = ingestBytesPerDay !== null && ingestBytesPerDay > 0 ? ingestBytesPerDay : null;
  const budgetDaysOfHistory = budget !== null && rate !== null ? budget / rate : null;
  const daysUntilBudgetFull =
    budget !== null && rate !== null ? Math.max(0, (budget - input.totalBytes) / rate) : null;
  const limits = [input.maxAgeDays, budgetDaysOfHistory].filter(
    (value): value is number => value !== null,
  );

  return {
    totalBytes: input.totalBytes,
    diskBudgetBytes: budget,
    maxAgeDays: input.maxAgeDays,
    days: newestFirst.map(({ day, partition, bytes, rowsEstimate }) => ({
      day,
      partition,
      bytes,
      rowsEstimate,
    })),
    defaultPartitionBytes: input.defaultPartitionBytes,
    oldestLine: input.oldestLine?.toISOString() ?? null,
    historyDays:
      input.oldestLine === null
        ? null
        : round(Math.max(0, (input.now - input.oldestLine.getTime()) / DAY_MS)),
    bytesPerDay: bytesPerDay === null ? null : Math.round(bytesPerDay),
    ingestBytesPerDay: ingestBytesPerDay === null ? null : Math.round(ingestBytesPerDay),
    ingestLinesPerSecond: round(input.linesLast5Minutes / 300),
    budgetDaysOfHistory: budgetDaysOfHistory === null ? null : round(budgetDaysOfHistory),
    daysUntilBudgetFull: daysUntilBudgetFull === null ? null : round(daysUntilBudgetFull),
    expectedHistoryDays: limits.length > 0 ? round(Math.min(...limits)) : null,
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
