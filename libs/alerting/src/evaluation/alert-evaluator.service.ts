import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { LogRecord } from '@app/contracts';
import { RedisService, StoredBatchBus } from '@app/queue';
import { performance } from 'node:perf_hooks';
import { AlertLifecycle, type GroupContext } from '../lifecycle/alert-lifecycle.service';
import { toOpenAlert, type AlertRow } from '../model/alert-rows';
import type { CompiledRule } from '../rules/compile-rule';
import { decodeGroupKey, groupFromEntries, groupOf, type Group } from '../rules/group-by';
import type { TrackSpec } from '../rules/rule-type';
import { prefilterLower } from '../rules/text-prefilter';
import { AlertMetrics } from './alert-metrics';
import { RuleCache } from './rule-cache';
import { TemplateRegistry, type TemplateTag } from './template-registry';
import { WindowStore, type ObserveRequest } from './window-store';

/** Redis hash (after the prefix): `<ruleId>:evaluated` and `<ruleId>:matched`, ms. */
export const RULE_HEALTH_KEY = 'alerting:health';

interface Pending {
  request: ObserveRequest;
  context: GroupContext;
}

/**
 * Evaluates every enabled rule on each stored batch (the lines of this worker's batches, seen once
 * each through the StoredBatchBus), so a condition is caught as soon as its line is stored; and on
 * the tick, the groups nothing arrives for (resolutions, absence, `for` durations).
 */
@Injectable()
export class AlertEvaluator implements OnModuleInit {
  private readonly logger = new Logger(AlertEvaluator.name);

  constructor(
    private readonly bus: StoredBatchBus,
    private readonly rules: RuleCache,
    private readonly store: WindowStore,
    private readonly lifecycle: AlertLifecycle,
    private readonly templates: TemplateRegistry,
    private readonly metrics: AlertMetrics,
    private readonly redis: RedisService,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe('alerting', ({ logs }) => this.onBatch(logs));
  }

  /** Runs every enabled rule over one stored batch. */
  async onBatch(logs: LogRecord[], now = Date.now()): Promise<void> {
    const rules = this.rules.active();
    if (rules.length === 0 || logs.length === 0) return;
    const started = performance.now();
    const pending: Pending[] = [];
    const matched: Record<string, number> = {};
    // Lower-cased messages, made once per batch for the rules with a full-text prefilter.
    let lower: string[] | undefined;
    for (const rule of rules) {
      const { prefilter } = rule;
      if (prefilter) lower ??= logs.map((line) => prefilterLower(line.message));
      const lines = prefilter
        ? logs.filter((line, index) => prefilter((lower as string[])[index]) && rule.matches(line))
        : logs.filter((line) => rule.matches(line));
      if (lines.length === 0) continue;
      matched[`${rule.id}:matched`] = now;
      const tags = rule.tracks.some((track) => track.lines !== 'matching')
        ? await this.templates.classify(rule, lines, now)
        : undefined;
      for (const track of rule.tracks) {
        for (const { group, lines: ofGroup, template } of groupLines(rule, track, lines, tags)) {
          pending.push({
            request: { rule, track, groupKey: group.key, lines: ofGroup },
            context: { rule, track, groupKey: group.key, group: group.values, template },
          });
        }
      }
    }
    if (Object.keys(matched).length > 0) {
      void this.redis.client
        .hset(this.redis.key(RULE_HEALTH_KEY), matched)
        .catch((error: Error) => this.logger.debug(`Rule health not recorded: ${error.message}`));
    }
    await this.evaluate(pending, now);
    this.metrics.recordEvaluation('batch', rules.length, (performance.now() - started) / 1000);
  }

  /**
   * The scheduled pass (one worker at a time): every open alert's group, and for tracks that can
   * start holding without lines (absence, "fewer than"), every group they know.
   */
  async tick(now = Date.now()): Promise<void> {
    const started = performance.now();
    const rules = this.rules.active();
    const open = await this.lifecycle.openAlerts();
    const openByGroup = new Map<string, AlertRow>();
    for (const row of open) {
      const rule = row.rule_id ? this.rules.byId(row.rule_id) : undefined;
      if (
        !rule ||
        rule.revision !== row.rule_revision ||
        !rule.tracks.some((t) => t.name === row.track)
      ) {
        // Its rule was deleted, disabled or changed and the api could not resolve it then.
        await this.lifecycle.resolveRow(
          row,
          { channelIds: rule?.channelIds ?? [], recipients: rule?.recipients ?? [] },
          `${row.reason}; resolved because the rule was changed, disabled or deleted`,
          now,
        );
        continue;
      }
      openByGroup.set(`${rule.id}|${row.track}|${row.group_key}`, row);
    }
    const pending: Pending[] = [];
    const authoritative: (AlertRow | null)[] = [];
    for (const rule of rules) {
      for (const track of rule.tracks) {
        const keys = new Set<string>();
        for (const row of openByGroup.values())
          if (row.rule_id === rule.id && row.track === track.name) keys.add(row.group_key);
        if (track.evaluateIdle) {
          for (const key of await this.store.knownGroups(rule, track, now)) keys.add(key);
          // An ungrouped rule has its one group before any line arrives (absence from the start).
          if (rule.fields.length === 0 && track.lines === 'matching') keys.add('');
        }
        for (const key of keys) {
          const group = decodeGroupKey(key);
          const row = openByGroup.get(`${rule.id}|${track.name}|${key}`) ?? null;
          pending.push({
            request: { rule, track, groupKey: key, lines: [] },
            context: {
              rule,
              track,
              groupKey: key,
              group,
              template:
                track.lines === 'template'
                  ? this.templates.text(rule, group.source ?? '', Number(group.template))
                  : undefined,
            },
          });
          authoritative.push(row);
        }
      }
    }
    if (rules.length > 0) {
      await this.redis.client.hset(
        this.redis.key(RULE_HEALTH_KEY),
        Object.fromEntries(rules.map((rule) => [`${rule.id}:evaluated`, now])),
      );
    }
    await this.evaluate(pending, now, authoritative);
    this.metrics.recordEvaluation('tick', rules.length, (performance.now() - started) / 1000);
  }

  private async evaluate(
    pending: Pending[],
    now: number,
    authoritative?: (AlertRow | null)[],
  ): Promise<void> {
    if (pending.length === 0) return;
    const readings = await this.store.observe(
      pending.map(({ request }) => request),
      now,
    );
    // Nearly every reading decides nothing; the few transitions run side by side.
    const results = await Promise.allSettled(
      readings.map((reading, index) => {
        const row = authoritative?.[index];
        return this.lifecycle.evaluate(
          pending[index].context,
          reading,
          now,
          authoritative ? (row ? toOpenAlert(row) : null) : undefined,
        );
      }),
    );
    for (const result of results) {
      if (result.status === 'rejected')
        this.logger.error(
          `Alert evaluation failed: ${(result.reason as Error).stack ?? result.reason}`,
        );
    }
  }
}

/** The lines of a track by group: the rule's groups, new templates by source, templates by source. */
function groupLines(
  rule: CompiledRule,
  track: TrackSpec,
  lines: LogRecord[],
  tags: TemplateTag[] | undefined,
): { group: Group; lines: LogRecord[]; template?: string }[] {
  const groups = new Map<string, { group: Group; lines: LogRecord[]; template?: string }>();
  if (track.lines === 'matching') {
    // Keyed by the raw values first: the encoded group is built once per group, not per line.
    for (const line of lines) {
      const raw =
        rule.fields.length === 1
          ? (rule.fields[0].read(line) ?? '')
          : rule.fields.map((field) => field.read(line) ?? '').join('\u0000');
      let entry = groups.get(raw);
      if (!entry) {
        entry = { group: groupOf(rule.fields, line), lines: [] };
        groups.set(raw, entry);
      }
      entry.lines.push(line);
    }
    return [...groups.values()];
  }
  // Template tracks: new templates by source, or every template by source and template id.
  lines.forEach((line, index) => {
    const tag = tags?.[index];
    if (!tag || tag.id < 0 || (track.lines === 'new-template' && !tag.isNew)) return;
    const raw = track.lines === 'new-template' ? line.source : `${line.source}\u0000${tag.id}`;
    let entry = groups.get(raw);
    if (!entry) {
      entry =
        track.lines === 'new-template'
          ? { group: groupFromEntries([['source', line.source]]), lines: [] }
          : {
              group: groupFromEntries([
                ['source', line.source],
                ['template', String(tag.id)],
              ]),
              lines: [],
              template: tag.text,
            };
      groups.set(raw, entry);
    }
    entry.lines.push(line);
  });
  return [...groups.values()];
}
