import type { Verdict } from '../rules/rule-type';
import { decide, notifies, type OpenAlert } from './lifecycle';
import { findSilence, matchesGroup } from './silence-match';

const breaching: Verdict = {
  breaching: true,
  value: 12,
  threshold: 10,
  comparison: '>',
  reason: '',
};
const clear: Verdict = { ...breaching, breaching: false, value: 3 };
const policy = { forMs: 0, repeatMs: 0 };
const firing: OpenAlert = {
  alertId: 'a',
  state: 'firing',
  startedAt: 1000,
  firedAt: 1000,
  lastNotifiedAt: 1000,
  acknowledged: false,
};
const pending: OpenAlert = { ...firing, state: 'pending', firedAt: null, lastNotifiedAt: null };

describe('alert state machine', () => {
  it('opens firing at once, or pending with a `for` duration', () => {
    expect(decide(null, breaching, policy, 5000)).toEqual({ kind: 'open', state: 'firing' });
    expect(decide(null, breaching, { ...policy, forMs: 30_000 }, 5000)).toEqual({
      kind: 'open',
      state: 'pending',
    });
    expect(decide(null, clear, policy, 5000)).toEqual({ kind: 'none' });
  });

  it('promotes a pending alert once the condition held for `for`', () => {
    const forPolicy = { ...policy, forMs: 30_000 };
    expect(decide(pending, breaching, forPolicy, 30_999)).toEqual({ kind: 'none' });
    expect(decide(pending, breaching, forPolicy, 31_000)).toEqual({ kind: 'promote' });
    expect(decide(pending, clear, forPolicy, 10_000)).toEqual({ kind: 'resolve', why: 'cleared' });
  });

  it('does not re-notify while firing, except each repeat interval, and not once acknowledged', () => {
    expect(decide(firing, breaching, policy, 999_999)).toEqual({ kind: 'none' });
    const repeating = { ...policy, repeatMs: 60_000 };
    expect(decide(firing, breaching, repeating, 60_999)).toEqual({ kind: 'none' });
    expect(decide(firing, breaching, repeating, 61_000)).toEqual({ kind: 'notify', repeat: true });
    expect(decide({ ...firing, acknowledged: true }, breaching, repeating, 61_000)).toEqual({
      kind: 'none',
    });
  });

  it('offers the first notification of a firing that was held back (silenced)', () => {
    expect(decide({ ...firing, lastNotifiedAt: null }, breaching, policy, 5000)).toEqual({
      kind: 'notify',
      repeat: false,
    });
  });

  it('resolves when the condition clears; event alerts also at their bounds', () => {
    expect(decide(firing, clear, policy, 5000)).toEqual({ kind: 'resolve', why: 'cleared' });
    const event = { ...policy, event: { maxHoldMs: 60_000, maxEntries: 100 } };
    expect(decide(firing, breaching, event, 60_999)).toEqual({ kind: 'none' });
    expect(decide(firing, breaching, event, 61_000)).toEqual({ kind: 'resolve', why: 'max-hold' });
    expect(decide(firing, { ...breaching, value: 100 }, event, 2000)).toEqual({
      kind: 'resolve',
      why: 'max-entries',
    });
  });

  it('notifies firing and repeats; a resolution only when its firing was announced', () => {
    expect(notifies({ kind: 'open', state: 'firing' }, null)).toBe(true);
    expect(notifies({ kind: 'open', state: 'pending' }, null)).toBe(false);
    expect(notifies({ kind: 'promote' }, pending)).toBe(true);
    expect(notifies({ kind: 'resolve', why: 'cleared' }, firing)).toBe(true);
    expect(notifies({ kind: 'resolve', why: 'cleared' }, pending)).toBe(false);
    expect(notifies({ kind: 'resolve', why: 'cleared' }, { ...firing, lastNotifiedAt: null })).toBe(
      false,
    );
  });
});

describe('silences', () => {
  const silence = {
    id: 's',
    ruleId: 'r1',
    matchers: { host: 'web-*' },
    startsAt: 1000,
    endsAt: 2000,
  };

  it('match by rule, group (with * wildcards) and time', () => {
    expect(matchesGroup({ host: 'web-*' }, { host: 'web-1' })).toBe(true);
    expect(matchesGroup({ host: 'web-*' }, { host: 'db-1' })).toBe(false);
    expect(matchesGroup({ host: 'web-1' }, {})).toBe(false);
    expect(matchesGroup({}, { host: 'anything' })).toBe(true);
    expect(matchesGroup({ path: '/api/(x)+' }, { path: '/api/(x)+' })).toBe(true);
    expect(findSilence([silence], 'r1', { host: 'web-3' }, 1500)).toBe(silence);
    expect(findSilence([silence], 'r2', { host: 'web-3' }, 1500)).toBeUndefined();
    expect(findSilence([silence], 'r1', { host: 'web-3' }, 2000)).toBeUndefined();
    expect(
      findSilence([{ ...silence, ruleId: null }], 'r2', { host: 'web-3' }, 1000),
    ).toBeDefined();
  });
});
