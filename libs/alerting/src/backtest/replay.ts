// Replays stored history through a rule: the same verdicts (rules/*.rule.ts) and the same state
// machine (lifecycle.ts) as live evaluation, over line counts per time step instead of batches.
// Pure: the SQL that produces the series is in backtest.service.ts.
import type { AlertState } from '@app/contracts';
import {
  decide,
  notifies,
  closeReason,
  type LifecyclePolicy,
  type OpenAlert,
} from '../lifecycle/lifecycle';
import type { Group } from '../rules/group-by';
import type { Baseline, Measurement, TrackSpec, Verdict } from '../rules/rule-type';
import { foldBaseline, MAX_EMPTY_FOLDS, windowLayout } from '../rules/windows';

/** Evaluation points per window length: the sliding window moves in steps of window / 20. */
export const STEPS_PER_WINDOW = 20;

export interface StepLayout {
  stepMs: number;
  /** Steps in one window. */
  windowSteps: number;
}

/** The replay's step for a track: whole live buckets, about 20 per window. */
export function stepLayout(track: TrackSpec): StepLayout {
  const layout = windowLayout(track.windowMs);
  const factor = Math.ceil(layout.buckets / STEPS_PER_WINDOW);
  return { stepMs: layout.bucketMs * factor, windowSteps: Math.ceil(layout.buckets / factor) };
}

/** Matching lines of one group per step (step index = floor(ts / stepMs)). */
export interface StepSeries {
  group: Group;
  template?: string;
  counts: Map<number, number>;
}

/** One window's statistic of one group (values tracks; window index = floor(ts / windowMs)). */
export interface WindowSeries {
  group: Group;
  windows: Map<number, { stat: number; count: number }>;
}

export interface ReplayEvent {
  at: number;
  group: Group;
  track: string;
  from: AlertState | null;
  to: AlertState;
  repeat: boolean;
  notify: boolean;
  verdict: Verdict;
  windowStart: number;
  windowEnd: number;
  reason: string;
}

interface Context {
  query: string;
  policy: LifecyclePolicy;
  from: number;
  to: number;
}

/** Collects the transitions of every group of every track. */
export class Replay {
  readonly events: ReplayEvent[] = [];
  fires = 0;
  resolves = 0;
  notifications = 0;

  constructor(private readonly context: Context) {}

  /** count tracks: a sliding window of `windowSteps` steps, evaluated at the end of every step. */
  countTrack(track: TrackSpec, series: StepSeries, steps: StepLayout, ungrouped: boolean): void {
    const { stepMs, windowSteps } = steps;
    const { from, to } = this.context;
    const indexes = [...series.counts.keys()].sort((a, b) => a - b);
    const firstStep = indexes.length > 0 ? indexes[0] : null;
    // A group exists from its first line; an ungrouped rule's one group from the start.
    if (firstStep === null && !ungrouped) return;
    const firstSeen = firstStep === null ? null : firstStep * stepMs;
    let step = Math.floor(from / stepMs);
    if (!ungrouped && firstStep !== null) step = Math.max(step, firstStep);
    const lastStep = Math.ceil(to / stepMs) - 1;
    let inWindow = 0;
    for (let s = step - windowSteps + 1; s < step; s++) inWindow += series.counts.get(s) ?? 0;
    let lastSeen: number | null = null;
    for (const index of indexes) if (index < step) lastSeen = (index + 1) * stepMs;
    let baseline: Baseline | null = null;
    let folded =
      firstStep === null
        ? Math.floor(step / windowSteps) - 1
        : Math.floor(firstStep / windowSteps) - 1;
    const state = new GroupState(this, track, series.group);
    for (let s = step; s <= lastStep; s++) {
      const lines = series.counts.get(s) ?? 0;
      inWindow += lines;
      if (lines > 0) lastSeen = Math.min((s + 1) * stepMs, to);
      const now = Math.min((s + 1) * stepMs, to);
      if (track.baseline) {
        const interval = Math.floor(s / windowSteps);
        for (let folds = 0; folded < interval - 1; folds++) {
          folded++;
          if (folds >= MAX_EMPTY_FOLDS) {
            folded = interval - 1;
            break;
          }
          let sample = 0;
          for (let k = folded * windowSteps; k < (folded + 1) * windowSteps; k++)
            sample += series.counts.get(k) ?? 0;
          baseline = foldBaseline(baseline, sample, track.baseline.alpha);
        }
      }
      state.evaluate(
        {
          now,
          windowStart: (s - windowSteps + 1) * stepMs,
          windowEnd: now,
          count: inWindow,
          stat: null,
          baseline,
          firstSeen,
          lastSeen,
          activeSince: from,
        },
        series.template,
      );
      inWindow -= series.counts.get(s - windowSteps + 1) ?? 0;
    }
  }

  /** event tracks: lines fold into the open burst; evaluated where lines arrive and while open. */
  eventTrack(track: TrackSpec, series: StepSeries, steps: StepLayout): void {
    const { stepMs } = steps;
    const { from, to } = this.context;
    const state = new GroupState(this, track, series.group);
    let folded = 0;
    let burstStart = 0;
    let burstLast: number | null = null;
    const lastStep = Math.ceil(to / stepMs) - 1;
    const indexes = [...series.counts.keys()]
      .filter((s) => s * stepMs >= from)
      .sort((a, b) => a - b);
    let next = 0;
    let s = indexes[0];
    while (s !== undefined && s <= lastStep) {
      const now = Math.min((s + 1) * stepMs, to);
      const lines = series.counts.get(s) ?? 0;
      if (lines > 0) {
        if (folded === 0) burstStart = s * stepMs;
        folded += lines;
        burstLast = now;
      }
      const measurement: Measurement = {
        now,
        windowStart: folded > 0 ? burstStart : now,
        windowEnd: now,
        count: folded,
        stat: null,
        baseline: null,
        firstSeen: null,
        lastSeen: burstLast,
        activeSince: from,
      };
      if (state.evaluate(measurement, series.template) === 'resolved') {
        folded = 0;
        burstLast = null;
      }
      while (next < indexes.length && indexes[next] <= s) next++;
      // Open: look at every step (the burst may go quiet); closed: jump to the next line.
      s = state.isOpen ? s + 1 : indexes[next];
    }
  }

  /** values tracks: one statistic per window, against the baseline of the windows before. */
  valuesTrack(track: TrackSpec, series: WindowSeries): void {
    const windowMs = windowLayout(track.windowMs).windowMs;
    const { from, to } = this.context;
    const state = new GroupState(this, track, series.group);
    const indexes = [...series.windows.keys()].sort((a, b) => a - b);
    if (indexes.length === 0) return;
    const firstSeen = indexes[0] * windowMs;
    let baseline: Baseline | null = null;
    const lastWindow = Math.ceil(to / windowMs) - 1;
    for (let k = Math.max(indexes[0], Math.floor(from / windowMs)); k <= lastWindow; k++) {
      const window = series.windows.get(k);
      const now = Math.min((k + 1) * windowMs, to);
      state.evaluate({
        now,
        windowStart: k * windowMs,
        windowEnd: now,
        count: window?.count ?? 0,
        stat: window?.stat ?? null,
        baseline,
        firstSeen,
        lastSeen: null,
        activeSince: from,
      });
      if (window && track.baseline)
        baseline = foldBaseline(baseline, window.stat, track.baseline.alpha);
    }
  }

  record(event: ReplayEvent, open: OpenAlert | null, decisionNotifies: boolean): void {
    this.events.push(event);
    if (decisionNotifies) this.notifications++;
    if (event.to === 'firing' && event.from !== 'firing') this.fires++;
    if (event.to === 'resolved' && open?.state === 'firing') this.resolves++;
  }

  get policy(): LifecyclePolicy {
    return this.context.policy;
  }

  get query(): string {
    return this.context.query;
  }
}

/** One group's alert during a replay: the live state machine without a database. */
class GroupState {
  private open: OpenAlert | null = null;
  private counter = 0;

  constructor(
    private readonly replay: Replay,
    private readonly track: TrackSpec,
    private readonly group: Group,
  ) {}

  get isOpen(): boolean {
    return this.open !== null;
  }

  /** Applies one evaluation; returns the state it moved to, if it moved. */
  evaluate(measurement: Measurement, template?: string): AlertState | undefined {
    const verdict = this.track.verdict(measurement, {
      query: this.replay.query,
      groupKey: this.group.key,
      template,
    });
    const policy = { ...this.replay.policy, event: this.track.event };
    if (this.track.kind === 'event') policy.forMs = 0;
    const now = measurement.now;
    const decision = decide(this.open, verdict, policy, now);
    if (decision.kind === 'none') return undefined;
    const notify = notifies(decision, this.open);
    const from = this.open?.state ?? null;
    let to: AlertState;
    const previous = this.open;
    switch (decision.kind) {
      case 'open':
        to = decision.state;
        this.open = {
          alertId: String(this.counter++),
          state: decision.state,
          startedAt: now,
          firedAt: decision.state === 'firing' ? now : null,
          lastNotifiedAt: notify ? now : null,
          acknowledged: false,
        };
        break;
      case 'promote':
        to = 'firing';
        this.open = {
          ...(this.open as OpenAlert),
          state: 'firing',
          firedAt: now,
          lastNotifiedAt: now,
        };
        break;
      case 'notify':
        to = 'firing';
        this.open = { ...(this.open as OpenAlert), lastNotifiedAt: now };
        break;
      case 'resolve':
        to = 'resolved';
        this.open = null;
        break;
    }
    const why = decision.kind === 'resolve' ? closeReason(decision.why, policy) : '';
    this.replay.record(
      {
        at: now,
        group: this.group,
        track: this.track.name,
        from,
        to,
        repeat: decision.kind === 'notify' && decision.repeat,
        notify,
        verdict,
        windowStart: measurement.windowStart,
        windowEnd: measurement.windowEnd,
        reason: why ? `${verdict.reason}; ${why}` : verdict.reason,
      },
      previous,
      notify,
    );
    return to;
  }
}
