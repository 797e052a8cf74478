import { BadRequestException, Injectable } from '@nestjs/common';
import {
  LOG_LEVELS,
  levelName,
  type AlertSampleLine,
  type AnomalySettings,
  type BacktestEvent,
  type BacktestRequest,
  type BacktestResponse,
  type LogLevelName,
} from '@app/contracts';
import { compileQueryToSql, ReadTransactions, type ReadTransaction } from '@app/storage';
import { performance } from 'node:perf_hooks';
import { compileOrThrow, withDefaults } from '../api/rule-input';
import { numberFieldSql } from '../rules/anomaly.rule';
import type { CompiledRule } from '../rules/compile-rule';
import { groupFromEntries, levelFromSql, type Group } from '../rules/group-by';
import type { TrackSpec } from '../rules/rule-type';
import { windowLayout } from '../rules/windows';
import { Drain, templateText, tokenize } from '../templates/drain';
import { Replay, stepLayout, type ReplayEvent, type StepSeries, type WindowSeries } from './replay';

/** The widest range a backtest replays. */
export const MAX_BACKTEST_SPAN_MS = 7 * 86_400_000;
/** Template rules mine every line in JavaScript: at most this many per backtest. */
export const MAX_TEMPLATE_LINES = 500_000;
const MAX_TIMELINE = 1000;
/** Firing events of the timeline that get their sample lines (one small query each). */
const EVENTS_WITH_SAMPLES = 20;

/** Collects positional parameters: `add(value)` returns its placeholder. */
class Params {
  readonly values: unknown[] = [];
  readonly add = (value: unknown): string => {
    this.values.push(value);
    return `$${this.values.length}`;
  };
}

interface SampleRow {
  id: string;
  ts: Date;
  level: number;
  source: string;
  host: string | null;
  message: string;
}

/**
 * Replays stored history through a rule that need not be saved: SQL counts the matching lines per
 * time step and group (the rule's query compiled to SQL) inside one bounded read-only transaction,
 * then the live verdicts and state machine run over those counts (replay.ts).
 */
@Injectable()
export class BacktestService {
  constructor(private readonly transactions: ReadTransactions) {}

  async run(request: BacktestRequest): Promise<BacktestResponse> {
    const started = performance.now();
    const from = Date.parse(request.from);
    const to = Date.parse(request.to);
    if (!(from < to)) throw new BadRequestException('from must be earlier than to');
    if (to - from > MAX_BACKTEST_SPAN_MS)
      throw new BadRequestException('A backtest covers at most 7 days: narrow from/to');
    const rule = compileOrThrow(withDefaults(request.rule), {
      id: '00000000-0000-0000-0000-000000000000',
      revision: 0,
      activeSince: from,
    });
    const replay = new Replay({
      query: rule.query,
      policy: { forMs: rule.forMs, repeatMs: rule.repeatMs },
      from,
      to,
    });
    let matchedLines = 0;
    const groups = new Set<string>();
    const templateSamples: TemplateSamples = new Map();
    // Read-only, one snapshot, every statement bounded by the statement timeout (a 400 past it).
    const timeline = await this.transactions.run(async (read) => {
      const usesTemplates = rule.tracks.some((track) => track.lines !== 'matching');
      const mined = usesTemplates
        ? await this.mineTemplates(read, rule, from, to, templateSamples)
        : undefined;
      for (const track of rule.tracks) {
        if (track.kind === 'values') {
          for (const series of await this.windowSeries(read, rule, track, from, to)) {
            groups.add(series.group.key);
            for (const window of series.windows.values()) matchedLines += window.count;
            replay.valuesTrack(track, series);
          }
          continue;
        }
        const steps = stepLayout(track);
        const allSeries =
          track.lines === 'matching'
            ? await this.stepSeries(read, rule, steps.stepMs, from - track.windowMs, to)
            : (mined?.get(track.name) ?? []).map((series) => rebucket(series, steps.stepMs));
        if (track.lines === 'matching' && rule.fields.length === 0 && allSeries.length === 0)
          allSeries.push({ group: groupFromEntries([]), counts: new Map() });
        for (const series of allSeries) {
          groups.add(series.group.key);
          if (track.lines !== 'new-template')
            for (const count of series.counts.values()) matchedLines += count;
          if (track.kind === 'event') replay.eventTrack(track, series, steps);
          else
            replay.countTrack(
              track,
              series,
              steps,
              rule.fields.length === 0 && track.lines === 'matching',
            );
        }
      }
      const events = [...replay.events].sort((a, b) => a.at - b.at);
      return this.withSamples(read, rule, events.slice(0, MAX_TIMELINE), templateSamples, from);
    });
    return {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      stepSeconds: Math.min(...rule.tracks.map((track) => stepLayout(track).stepMs)) / 1000,
      matchedLines,
      groups: groups.size,
      timeline,
      truncated: replay.events.length > MAX_TIMELINE,
      fires: replay.fires,
      resolves: replay.resolves,
      notifications: replay.notifications,
      tookMs: Math.round(performance.now() - started),
    };
  }

  /** Matching lines per step and group, from the window before `from` (to fill it) to `to`. */
  private async stepSeries(
    read: ReadTransaction,
    rule: CompiledRule,
    stepMs: number,
    from: number,
    to: number,
  ): Promise<StepSeries[]> {
    const params = new Params();
    const groupColumns = rule.fields.map(
      (field, index) => `coalesce(${field.sql(params.add)}, '') AS g${index}`,
    );
    const sql = `
      SELECT (extract(epoch FROM date_bin(${params.add(`${stepMs} milliseconds`)}::interval, ts,
                TIMESTAMPTZ '1970-01-01 00:00:00+00')) * 1000)::bigint AS t,
             ${[...groupColumns, 'count(*)::int AS n'].join(', ')}
        FROM logs
       WHERE ${this.where(rule, params, from, to)}
       GROUP BY ${['1', ...rule.fields.map((_, index) => String(index + 2))].join(', ')}`;
    const rows = await read.query<Record<string, string | number>>(sql, params.values);
    const bySeries = new Map<string, StepSeries>();
    for (const row of rows) {
      const group = this.groupOfRow(rule, row);
      const series = bySeries.get(group.key) ?? { group, counts: new Map<number, number>() };
      const step = Math.floor(Number(row.t) / stepMs);
      series.counts.set(step, (series.counts.get(step) ?? 0) + Number(row.n));
      bySeries.set(group.key, series);
    }
    return [...bySeries.values()];
  }

  /** values tracks: the statistic of every window and group (tumbling windows). */
  private async windowSeries(
    read: ReadTransaction,
    rule: CompiledRule,
    track: TrackSpec,
    from: number,
    to: number,
  ): Promise<WindowSeries[]> {
    const settings = rule.normalized as AnomalySettings;
    const windowMs = windowLayout(track.windowMs).windowMs;
    const params = new Params();
    const value = numberFieldSql(settings.field ?? 'latency_ms', params.add);
    const groupColumns = rule.fields.map(
      (field, index) => `coalesce(${field.sql(params.add)}, '') AS g${index}`,
    );
    const statistic = settings.statistic ?? 'p95';
    const statSql =
      statistic === 'avg'
        ? 'avg(v)'
        : statistic === 'max'
          ? 'max(v)'
          : `percentile_disc(${{ p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 }[statistic]}) WITHIN GROUP (ORDER BY v)`;
    const bin = params.add(`${windowMs} milliseconds`);
    const sql = `
      SELECT (extract(epoch FROM date_bin(${bin}::interval, ts, TIMESTAMPTZ '1970-01-01 00:00:00+00')) * 1000)::bigint AS t,
             ${[...groupColumns.map((_, index) => `g${index}`), 'count(*)::int AS n', `${statSql} AS stat`].join(', ')}
        FROM (SELECT ts, ${[...groupColumns, `${value} AS v`].join(', ')}
                FROM logs WHERE ${this.where(rule, params, from, to)}) lines
       WHERE v IS NOT NULL
       GROUP BY ${['1', ...rule.fields.map((_, index) => String(index + 2))].join(', ')}`;
    const rows = await read.query<Record<string, string | number>>(sql, params.values);
    const bySeries = new Map<string, WindowSeries>();
    for (const row of rows) {
      const group = this.groupOfRow(rule, row);
      const series = bySeries.get(group.key) ?? { group, windows: new Map() };
      series.windows.set(Math.floor(Number(row.t) / windowMs), {
        stat: Number(row.stat),
        count: Number(row.n),
      });
      bySeries.set(group.key, series);
    }
    return [...bySeries.values()];
  }

  /**
   * Template rules: every matching line in time order through a fresh Drain miner (per source,
   * learning from the start of the range), giving per-line step series for both template tracks.
   * Series are at 1 s resolution; each track re-buckets them to its own step.
   */
  private async mineTemplates(
    read: ReadTransaction,
    rule: CompiledRule,
    from: number,
    to: number,
    samples: TemplateSamples,
  ): Promise<Map<string, StepSeries[]>> {
    const settings = rule.normalized as AnomalySettings;
    const params = new Params();
    const sql = `
      SELECT id::text AS id, ts, level, source, host, message FROM logs
       WHERE ${this.where(rule, params, from, to)}
       ORDER BY ts, id LIMIT ${MAX_TEMPLATE_LINES + 1}`;
    const rows = await read.query<SampleRow>(sql, params.values);
    if (rows.length > MAX_TEMPLATE_LINES) {
      throw new BadRequestException(
        `More than ${MAX_TEMPLATE_LINES} lines match in this range; template rules are backtested line by line: narrow from/to or the query`,
      );
    }
    const miners = new Map<string, { drain: Drain; firstSeen: number }>();
    const newSeries = new Map<string, StepSeries>();
    const templateSeries = new Map<string, StepSeries>();
    const add = (
      series: Map<string, StepSeries>,
      group: Group,
      second: number,
      template?: string,
    ) => {
      const entry = series.get(group.key) ?? { group, template, counts: new Map<number, number>() };
      entry.counts.set(second, (entry.counts.get(second) ?? 0) + 1);
      series.set(group.key, entry);
      return entry;
    };
    for (const row of rows) {
      const ts = row.ts.getTime();
      let miner = miners.get(row.source);
      if (!miner) {
        miner = { drain: new Drain({ similarity: settings.similarity ?? 0.5 }), firstSeen: ts };
        miners.set(row.source, miner);
      }
      const tokens = tokenize(row.message);
      let template = miner.drain.match(tokens);
      let created = false;
      if (!template && !miner.drain.full) {
        template = miner.drain.add(tokens, miner.drain.size);
        created = true;
      }
      if (!template) continue;
      const second = Math.floor(ts / 1000);
      const sample = toSample(rule, row);
      if (created && ts - miner.firstSeen >= settings.warmupSeconds * 1000) {
        const group = groupFromEntries([['source', row.source]]);
        add(newSeries, group, second);
        pushSample(samples, `new-template|${group.key}`, second, sample, rule.sampleSize);
      }
      const group = groupFromEntries([
        ['source', row.source],
        ['template', String(template.id)],
      ]);
      add(templateSeries, group, second, templateText(template.tokens));
      pushSample(samples, `template-spike|${group.key}`, second, sample, rule.sampleSize);
    }
    return new Map([
      ['new-template', [...newSeries.values()]],
      ['template-spike', [...templateSeries.values()]],
    ]);
  }

  /** The rule's lines in [from, to): time bounds first (partition pruning), then the query. */
  private where(rule: CompiledRule, params: Params, from: number, to: number): string {
    const conditions = [
      `ts >= ${params.add(new Date(from))}::timestamptz`,
      `ts < ${params.add(new Date(to))}::timestamptz`,
    ];
    if (rule.node) conditions.push(`(${compileQueryToSql(rule.node, params.add)})`);
    return conditions.join(' AND ');
  }

  private groupOfRow(rule: CompiledRule, row: Record<string, string | number>): Group {
    return groupFromEntries(
      rule.fields.map((field, index) => {
        const text = String(row[`g${index}`] ?? '');
        return [
          field.name,
          field.name === 'level' && text !== '' ? (levelFromSql(text) ?? '') : text,
        ];
      }),
    );
  }

  /** The timeline in the API's shape, the first firing events with their sample lines. */
  private async withSamples(
    read: ReadTransaction,
    rule: CompiledRule,
    events: ReplayEvent[],
    templateSamples: TemplateSamples,
    from: number,
  ): Promise<BacktestEvent[]> {
    let sampled = 0;
    const timeline: BacktestEvent[] = [];
    for (const event of events) {
      let samples: AlertSampleLine[] = [];
      if (event.to === 'firing' && event.from !== 'firing' && sampled < EVENTS_WITH_SAMPLES) {
        sampled++;
        const track = rule.tracks.find((candidate) => candidate.name === event.track);
        if (track?.lines === 'matching') {
          // An absence alert's evidence is the last lines before the silence.
          const since = rule.type === 'absence' ? from - track.forgetAfterMs : event.windowStart;
          samples = await this.sampleLines(read, rule, event.group, since, event.windowEnd);
        } else {
          samples = samplesWithin(
            templateSamples.get(`${event.track}|${event.group.key}`),
            event.windowStart,
            event.windowEnd,
            rule.sampleSize,
          );
        }
      }
      timeline.push({
        at: new Date(event.at).toISOString(),
        alertGroup: event.group.values,
        groupKey: event.group.key,
        from: event.from,
        to: event.to,
        repeat: event.repeat,
        notify: event.notify,
        value: event.verdict.value,
        threshold: event.verdict.threshold,
        comparison: event.verdict.comparison,
        windowStart: new Date(event.windowStart).toISOString(),
        windowEnd: new Date(event.windowEnd).toISOString(),
        reason: event.reason,
        samples,
      });
    }
    return timeline;
  }

  private async sampleLines(
    read: ReadTransaction,
    rule: CompiledRule,
    group: Group,
    from: number,
    to: number,
  ): Promise<AlertSampleLine[]> {
    const params = new Params();
    const conditions = [this.where(rule, params, from, to)];
    for (const field of rule.fields) {
      let value = group.values[field.name] ?? '';
      if (field.name === 'level' && value !== '')
        value = String(LOG_LEVELS.indexOf(value as LogLevelName));
      conditions.push(`coalesce(${field.sql(params.add)}, '') = ${params.add(value)}`);
    }
    const rows = await read.query<SampleRow>(
      `SELECT id::text AS id, ts, level, source, host, message FROM logs
        WHERE ${conditions.join(' AND ')}
        ORDER BY ts DESC LIMIT ${rule.sampleSize}`,
      params.values,
    );
    return rows.map((row) => toSample(rule, row));
  }
}

function toSample(rule: CompiledRule, row: SampleRow): AlertSampleLine {
  return {
    id: row.id,
    ts: row.ts.toISOString(),
    level: levelName(row.level),
    source: row.source,
    host: row.host,
    message: row.message,
    highlights: rule.spans(row.message),
  };
}

/** Sample lines of template groups by second (at most `sampleSize` per second). */
type TemplateSamples = Map<string, Map<number, AlertSampleLine[]>>;

function pushSample(
  samples: TemplateSamples,
  key: string,
  second: number,
  sample: AlertSampleLine,
  size: number,
): void {
  const bySecond = samples.get(key) ?? new Map<number, AlertSampleLine[]>();
  const list = bySecond.get(second) ?? [];
  if (list.length < size) list.push(sample);
  bySecond.set(second, list);
  samples.set(key, bySecond);
}

/** The newest `size` samples of [from, to], newest first. */
function samplesWithin(
  bySecond: Map<number, AlertSampleLine[]> | undefined,
  from: number,
  to: number,
  size: number,
): AlertSampleLine[] {
  const found: AlertSampleLine[] = [];
  if (!bySecond) return found;
  for (let second = Math.floor(to / 1000); second >= Math.floor(from / 1000); second--) {
    for (const sample of [...(bySecond.get(second) ?? [])].reverse()) {
      if (found.length === size) return found;
      found.push(sample);
    }
  }
  return found;
}

/** A 1 s series in a track's step. */
function rebucket(series: StepSeries, stepMs: number): StepSeries {
  const counts = new Map<number, number>();
  for (const [second, count] of series.counts) {
    const step = Math.floor((second * 1000) / stepMs);
    counts.set(step, (counts.get(step) ?? 0) + count);
  }
  return { ...series, counts };
}
