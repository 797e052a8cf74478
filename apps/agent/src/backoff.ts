/**
 * Delay before retry number `attempt` (0 for the first): exponential from `initialMs`, capped at
 * `maxMs`, with full jitter (anywhere from 0 to that), so agents that lost the server together do
 * not come back together.
 */
export function backoffMs(
  attempt: number,
  retry: { initialMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(retry.maxMs, retry.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(random() * ceiling);
}
