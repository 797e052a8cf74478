import { Injectable } from '@nestjs/common';
import type { AlertSampleLine, LogRecord } from '@app/contracts';
import { RedisService } from '@app/queue';
import type Redis from 'ioredis';
import type { ChainableCommander } from 'ioredis';
import type { OpenAlert } from '../lifecycle/lifecycle';
import type { CompiledRule } from '../rules/compile-rule';
import type { Measurement, TrackSpec } from '../rules/rule-type';
import { MAX_VALUES_PER_GROUP, windowLayout } from '../rules/windows';
import { CLEAR_HINT_SCRIPT, OBSERVE_SCRIPT, SET_HINT_SCRIPT } from './window-store.lua';

/** Sample messages longer than this are cut: evidence, not archive. */
const MAX_SAMPLE_MESSAGE = 4096;

/** The lines of one batch for one group of one track (none on the tick). */
export interface ObserveRequest {
  rule: CompiledRule;
  track: TrackSpec;
  groupKey: string;
  lines: LogRecord[];
}

export interface GroupReading {
  measurement: Measurement;
  /** The open alert as the hint in Redis knows it; Postgres has the last word. */
  open: OpenAlert | null;
}

type ObserveCommand = (...args: (string | number)[]) => Promise<string[]>;
interface AlertingCommands {
  lookoutAlertObserve: ObserveCommand;
  lookoutAlertSetHint: (...args: (string | number)[]) => Promise<number>;
  lookoutAlertClearHint: (...args: (string | number)[]) => Promise<number>;
}

/**
 * The state of every rule's groups in Redis, shared by all workers: time-bucketed counts, bursts,
 * values, baselines, sample lines and the open-alert hint, one hash per rule revision, track and
 * group. Every change is one Lua script, so concurrent workers never lose an update.
 */
@Injectable()
export class WindowStore {
  private readonly client: Redis & AlertingCommands;

  constructor(private readonly redis: RedisService) {
    const client = redis.client as Redis & Partial<AlertingCommands>;
    if (!client.lookoutAlertObserve) {
      client.defineCommand('lookoutAlertObserve', { numberOfKeys: 4, lua: OBSERVE_SCRIPT });
      client.defineCommand('lookoutAlertSetHint', { numberOfKeys: 1, lua: SET_HINT_SCRIPT });
      client.defineCommand('lookoutAlertClearHint', { numberOfKeys: 2, lua: CLEAR_HINT_SCRIPT });
    }
    this.client = client as Redis & AlertingCommands;
  }

  /** Adds each request's lines and reads its group, all in one round trip. */
  async observe(requests: ObserveRequest[], now: number): Promise<GroupReading[]> {
    if (requests.length === 0) return [];
    const pipeline = this.client.pipeline() as ChainableCommander & AlertingCommands;
    for (const request of requests) pipeline.lookoutAlertObserve(...this.observeArgs(request, now));
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, reply], index) => {
      if (error) throw error;
      return this.reading(requests[index], reply as string[], now);
    });
  }

  /** The newest sample lines of a group, newest first, at or after `since` (ms). */
  async samples(
    rule: CompiledRule,
    track: TrackSpec,
    groupKey: string,
    since: number,
    limit = rule.sampleSize,
  ): Promise<AlertSampleLine[]> {
    const raw = await this.client.lrange(this.keys(rule, track, groupKey).samples, 0, limit - 1);
    return raw
      .map((text) => JSON.parse(text) as AlertSampleLine)
      .filter((sample) => Date.parse(sample.ts) >= since);
  }

  /** Records the open alert of a group; refused (false) when another open alert holds the hint. */
  async setHint(
    rule: CompiledRule,
    track: TrackSpec,
    groupKey: string,
    open: OpenAlert,
    replaces = '',
  ): Promise<boolean> {
    const applied = await this.client.lookoutAlertSetHint(
      this.keys(rule, track, groupKey).meta,
      open.alertId,
      open.state,
      open.startedAt,
      open.firedAt ?? '',
      open.lastNotifiedAt ?? '',
      open.acknowledged ? 1 : 0,
      ttlMs(track),
      replaces,
    );
    return applied === 1;
  }

  /** Forgets a resolved alert's hint; an event track's burst (count and samples) starts over. */
  async clearHint(
    rule: CompiledRule,
    track: TrackSpec,
    groupKey: string,
    alertId: string,
  ): Promise<void> {
    const keys = this.keys(rule, track, groupKey);
    await this.client.lookoutAlertClearHint(
      keys.meta,
      keys.samples,
      alertId,
      track.kind === 'event' ? '1' : '0',
    );
  }

  /** Groups of a track that sent lines within its forget horizon; older ones are dropped. */
  async knownGroups(rule: CompiledRule, track: TrackSpec, now: number): Promise<string[]> {
    const key = this.groupsKey(rule, track);
    await this.client.zremrangebyscore(key, '-inf', `(${now - track.forgetAfterMs}`);
    return this.client.zrange(key, 0, -1);
  }

  private keys(rule: CompiledRule, track: TrackSpec, groupKey: string) {
    const base = this.redis.key(`alerting:state:${rule.stateKey}:${track.name}:${groupKey}`);
    return { meta: `${base}:m`, samples: `${base}:s`, values: `${base}:v` };
  }

  private groupsKey(rule: CompiledRule, track: TrackSpec): string {
    return this.redis.key(`alerting:groups:${rule.stateKey}:${track.name}`);
  }

  private observeArgs({ rule, track, groupKey, lines }: ObserveRequest, now: number) {
    const layout = windowLayout(track.windowMs);
    const keys = this.keys(rule, track, groupKey);
    const increments = new Map<number, number>();
    const values: (string | number)[] = [];
    let first = Infinity;
    let last = 0;
    for (const line of lines) {
      // A clock ahead of ours counts as now; lines from before the window are history, not news.
      const ts = Math.min(Date.parse(line.ts), now);
      first = Math.min(first, ts);
      last = Math.max(last, ts);
      const bucket = Math.floor(ts / layout.bucketMs);
      increments.set(bucket, (increments.get(bucket) ?? 0) + 1);
      const value = track.value?.read(line);
      if (value !== undefined && value !== null) values.push(ts, `${value}|${line.id}`);
    }
    const samples = lines
      .slice(-rule.sampleSize)
      .map((line) => JSON.stringify(toSample(rule, line)));
    return [
      keys.meta,
      keys.samples,
      keys.values,
      this.groupsKey(rule, track),
      now,
      track.kind,
      layout.bucketMs,
      layout.buckets,
      track.baseline?.alpha ?? 0,
      track.value?.statistic ?? 'avg',
      ttlMs(track),
      groupKey,
      rule.sampleSize,
      MAX_VALUES_PER_GROUP,
      increments.size,
      ...[...increments].flat(),
      samples.length,
      ...samples,
      values.length / 2,
      ...values,
      lines.length > 0 ? first : 0,
      last,
      lines.length,
    ];
  }

  private reading(request: ObserveRequest, reply: string[], now: number): GroupReading {
    const number = (text: string) => (text === '' ? null : Number(text));
    const [count, stat, start, mean, variance, samples, first, seen, burstLast] = reply.map(number);
    const [aid, ast, ats, afi, ano, aak] = reply.slice(9);
    const event = request.track.kind === 'event';
    const measurement: Measurement = {
      now,
      windowStart: start ?? now,
      windowEnd: now,
      count: count ?? 0,
      stat,
      baseline:
        request.track.baseline && samples !== null && samples > 0
          ? { mean: mean ?? 0, variance: variance ?? 0, samples }
          : null,
      firstSeen: first,
      // A burst is judged by its own latest line (none after a close), a window by the group's.
      lastSeen: event ? (burstLast ? burstLast : null) : seen,
      activeSince: request.rule.activeSince,
    };
    const open: OpenAlert | null =
      aid && (ast === 'pending' || ast === 'firing')
        ? {
            alertId: aid,
            state: ast,
            startedAt: Number(ats),
            firedAt: afi ? Number(afi) : null,
            lastNotifiedAt: ano ? Number(ano) : null,
            acknowledged: aak === '1',
          }
        : null;
    return { measurement, open };
  }
}

/** State outlives the window, the warm-up and the forget horizon of its track. */
function ttlMs(track: TrackSpec): number {
  return Math.max(track.forgetAfterMs, 2 * track.windowMs) + 3_600_000;
}

export function toSample(rule: CompiledRule, line: LogRecord): AlertSampleLine {
  const message =
    line.message.length > MAX_SAMPLE_MESSAGE
      ? line.message.slice(0, MAX_SAMPLE_MESSAGE)
      : line.message;
  return {
    id: line.id,
    ts: line.ts,
    level: line.level,
    source: line.source,
    host: line.host,
    message,
    highlights: rule.spans(message),
  };
}
