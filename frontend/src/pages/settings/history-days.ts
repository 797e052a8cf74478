/**
 * Days of history the policy keeps at the current growth: the smaller of the age limit and what
 * the disk budget holds. Null when neither limit is set (history grows without bound).
 */
export function historyDays(
  maxAgeDays: number | null,
  budgetBytes: number | null,
  bytesPerDay: number | null,
): number | null {
  const byBudget = budgetBytes !== null && bytesPerDay ? budgetBytes / bytesPerDay : null;
  if (maxAgeDays === null) return byBudget;
  if (byBudget === null) return maxAgeDays;
  return Math.min(maxAgeDays, byBudget);
}
