// The alert state machine of one rule + group: pending (optional `for`) → firing → resolved, with
// repeat notifications while firing and bounded bursts for event tracks. Pure: the same function
// drives live evaluation (transitions guarded in Postgres) and the backtest.
import type { Verdict } from '../rules/rule-type';

/** The open alert of a group, if any (resolved alerts are history, not state). */
export interface OpenAlert {
  alertId: string;
  state: 'pending' | 'firing';
  /** When the condition started holding (ms). */
  startedAt: number;
  /** When it started firing (ms); null while pending. */
  firedAt: number | null;
  /** When a notification last went out (ms); null when none did (pending, or silenced). */
  lastNotifiedAt: number | null;
  acknowledged: boolean;
}

export interface LifecyclePolicy {
  forMs: number;
  /** 0: no repeats. */
  repeatMs: number;
  /** Event tracks: an alert closes after this long open or this many lines folded. */
  event?: { maxHoldMs: number; maxEntries: number };
}

export type Decision =
  | { kind: 'none' }
  /** Open a new alert, pending (waiting out `for`) or firing at once. */
  | { kind: 'open'; state: 'pending' | 'firing' }
  /** pending → firing: the condition held for `for`. */
  | { kind: 'promote' }
  /**
   * firing → firing notification: a repeat (the repeat interval passed), or the first notification
   * of an alert whose firing was held back (by a silence that has ended).
   */
  | { kind: 'notify'; repeat: boolean }
  /** → resolved: the condition no longer holds, or an event alert reached its bounds. */
  | { kind: 'resolve'; why: 'cleared' | 'max-hold' | 'max-entries' };

/**
 * What to do with a group's open alert (or its absence) given a fresh verdict. `folded` is the
 * number of lines an event alert has folded (the verdict's value for event tracks).
 */
export function decide(
  open: OpenAlert | null,
  verdict: Verdict,
  policy: LifecyclePolicy,
  now: number,
): Decision {
  if (open === null) {
    if (!verdict.breaching) return { kind: 'none' };
    return { kind: 'open', state: policy.forMs > 0 ? 'pending' : 'firing' };
  }
  if (!verdict.breaching) return { kind: 'resolve', why: 'cleared' };
  if (open.state === 'pending') {
    return now - open.startedAt >= policy.forMs ? { kind: 'promote' } : { kind: 'none' };
  }
  if (policy.event) {
    if (open.firedAt !== null && now - open.firedAt >= policy.event.maxHoldMs)
      return { kind: 'resolve', why: 'max-hold' };
    if (verdict.value >= policy.event.maxEntries) return { kind: 'resolve', why: 'max-entries' };
  }
  if (open.lastNotifiedAt === null) return { kind: 'notify', repeat: false };
  if (policy.repeatMs > 0 && !open.acknowledged && now - open.lastNotifiedAt >= policy.repeatMs) {
    return { kind: 'notify', repeat: true };
  }
  return { kind: 'none' };
}

/**
 * Whether a transition is announced on the notifications queue: firing and repeats always (unless
 * silenced), a resolution only when the firing was announced (a pending alert that never fired,
 * or one whose firing was silenced, resolves quietly).
 */
export function notifies(decision: Decision, open: OpenAlert | null): boolean {
  switch (decision.kind) {
    case 'open':
      return decision.state === 'firing';
    case 'promote':
    case 'notify':
      return true;
    case 'resolve':
      return open !== null && open.state === 'firing' && open.lastNotifiedAt !== null;
    case 'none':
      return false;
  }
}

/** Why an event alert closed, for its resolved reason. */
export function closeReason(
  why: 'cleared' | 'max-hold' | 'max-entries',
  policy: LifecyclePolicy,
): string {
  if (why === 'max-hold')
    return `open for the longest an alert folds lines (${Math.round((policy.event?.maxHoldMs ?? 0) / 1000)} s); the next line opens a new alert`;
  if (why === 'max-entries')
    return `folded the most lines an alert takes (${policy.event?.maxEntries ?? 0}); the next line opens a new alert`;
  return '';
}
