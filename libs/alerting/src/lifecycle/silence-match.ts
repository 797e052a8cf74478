// Which silence, if any, holds back a transition of a rule's group. Pure.

export interface SilenceRule {
  id: string;
  /** Null: every rule. */
  ruleId: string | null;
  matchers: Record<string, string>;
  startsAt: number;
  endsAt: number;
}

/** `web-*` → /^web-.*$/: `*` is any run of characters, everything else literal. */
function wildcard(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 's');
}

/** True when every matcher names a group field whose value it matches. */
export function matchesGroup(
  matchers: Record<string, string>,
  group: Record<string, string>,
): boolean {
  return Object.entries(matchers).every(
    ([field, pattern]) => Object.hasOwn(group, field) && wildcard(pattern).test(group[field]),
  );
}

/** The first silence active at `now` for this rule and group. */
export function findSilence(
  silences: readonly SilenceRule[],
  ruleId: string,
  group: Record<string, string>,
  now: number,
): SilenceRule | undefined {
  return silences.find(
    (silence) =>
      silence.startsAt <= now &&
      now < silence.endsAt &&
      (silence.ruleId === null || silence.ruleId === ruleId) &&
      matchesGroup(silence.matchers, group),
  );
}
