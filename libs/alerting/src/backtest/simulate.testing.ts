// Test helper shared by the rule specs: runs a rule over generated line streams with the replay
// (the live verdicts and state machine) and returns its transitions.
import type { AlertRuleType, AlertSeverity } from '@app/contracts';
import { compileRule, type CompiledRule } from '../rules/compile-rule';
import { groupFromEntries } from '../rules/group-by';
import { Replay, stepLayout, type ReplayEvent, type StepSeries } from './replay';

export interface SimulatedRule {
  type: AlertRuleType;
  query?: string;
  settings: Record<string, unknown>;
  groupBy?: string[];
  forSeconds?: number;
  repeatIntervalSeconds?: number;
  severity?: AlertSeverity;
}

export function compileTestRule(rule: SimulatedRule, activeSince = 0): CompiledRule {
  return compileRule({
    id: 'rule',
    revision: 1,
    name: 'test rule',
    query: rule.query ?? '',
    type: rule.type,
    severity: rule.severity ?? 'high',
    groupBy: rule.groupBy ?? [],
    forSeconds: rule.forSeconds ?? 0,
    repeatIntervalSeconds: rule.repeatIntervalSeconds ?? 0,
    sampleSize: 10,
    channelIds: [],
    recipients: [],
    settings: rule.settings,
    activeSince,
  });
}

export interface Simulation {
  events: ReplayEvent[];
  fires: number;
  resolves: number;
  notifications: number;
  /** `firing@12`, `resolved@75` (seconds from the start): the timeline at a glance. */
  summary: string[];
}

/**
 * Lines per group as times in ms from `from` (the group key is `host=<name>` for grouped rules,
 * '' for an ungrouped one), replayed over [from, to) of the first track kind in the rule.
 */
export function simulate(
  rule: SimulatedRule,
  streams: Record<string, number[]>,
  { from = 0, to }: { from?: number; to: number },
): Simulation {
  const compiled = compileTestRule(rule, from);
  const replay = new Replay({
    query: compiled.query,
    policy: { forMs: compiled.forMs, repeatMs: compiled.repeatMs },
    from,
    to,
  });
  for (const track of compiled.tracks) {
    const steps = stepLayout(track);
    for (const [name, times] of Object.entries(streams)) {
      const group = name === '' ? groupFromEntries([]) : groupFromEntries([['host', name]]);
      const series: StepSeries = { group, counts: new Map() };
      for (const time of times) {
        const step = Math.floor(time / steps.stepMs);
        series.counts.set(step, (series.counts.get(step) ?? 0) + 1);
      }
      if (track.kind === 'event') replay.eventTrack(track, series, steps);
      else replay.countTrack(track, series, steps, compiled.fields.length === 0);
    }
  }
  const events = [...replay.events].sort((a, b) => a.at - b.at);
  return {
    events,
    fires: replay.fires,
    resolves: replay.resolves,
    notifications: replay.notifications,
    summary: events.map(
      (event) =>
        `${event.group.key ? `${event.group.key} ` : ''}${event.repeat ? 'repeat' : event.to}@${Math.round((event.at - from) / 1000)}`,
    ),
  };
}

/** `count` lines evenly spread over [start, start + spanMs). */
export function burst(start: number, count: number, spanMs: number): number[] {
  return Array.from({ length: count }, (_, index) => start + Math.floor((index * spanMs) / count));
}

/** One line every `everyMs` over [start, end). */
export function steady(start: number, end: number, everyMs: number): number[] {
  const times: number[] = [];
  for (let time = start; time < end; time += everyMs) times.push(time);
  return times;
}
