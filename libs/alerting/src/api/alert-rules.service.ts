import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { AlertRule, AlertRuleHealth, AlertRuleInput } from '@app/contracts';
import { AuditService, type Principal } from '@app/auth';
import { RedisService } from '@app/queue';
import { DataSource, Repository } from 'typeorm';
import { RULE_HEALTH_KEY } from '../evaluation/alert-evaluator.service';
import { ALERT_RULES_CHANGED_CHANNEL } from '../evaluation/rule-cache';
import { AlertLifecycle } from '../lifecycle/alert-lifecycle.service';
import { AlertRuleEntity } from '../model/alert-rule.entity';
import { compileOrThrow, withDefaults, type CompleteRuleInput } from './rule-input';

/** One alert changing state this often in an hour is flapping. */
export const FLAPPING_CHANGES_PER_HOUR = 6;

/** What is evaluated: a change to any of these restarts the rule's state (a new revision). */
const EVALUATED: (keyof CompleteRuleInput)[] = [
  'query',
  'type',
  'groupBy',
  'forSeconds',
  'settings',
];

/** Alert rules: validated by compiling them, announced to workers on change, audited. */
@Injectable()
export class AlertRulesService {
  constructor(
    @InjectRepository(AlertRuleEntity) private readonly rules: Repository<AlertRuleEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly redis: RedisService,
    private readonly lifecycle: AlertLifecycle,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<AlertRule[]> {
    const rows = await this.rules.find({ order: { name: 'ASC' } });
    const health = await this.health(rows.map((row) => row.id));
    return rows.map((row) => toRule(row, health.get(row.id)));
  }

  async get(id: string): Promise<AlertRule> {
    const row = await this.find(id);
    return toRule(row, (await this.health([id])).get(id));
  }

  async create(body: AlertRuleInput, principal: Principal): Promise<AlertRule> {
    const input = withDefaults(body);
    const compiled = compileOrThrow(input, { id: 'new', revision: 1, activeSince: Date.now() });
    await this.ensureUniqueName(input.name);
    const saved = await this.rules.save(
      this.rules.create({
        ...input,
        settings: compiled.normalized as Record<string, unknown>,
        revision: 1,
        revisedAt: new Date(),
      }),
    );
    await this.announce();
    const rule = await this.get(saved.id);
    await this.audit.record(principal, {
      action: 'alert-rule.create',
      entityType: 'alert-rule',
      entityId: saved.id,
      after: auditView(rule),
    });
    return rule;
  }

  async update(
    id: string,
    body: Partial<AlertRuleInput>,
    principal: Principal,
  ): Promise<AlertRule> {
    const row = await this.find(id);
    const before = toRule(row);
    const changes = stripUndefined(body);
    // Settings of the same type are merged into the current ones; a new type takes its own.
    if (changes.settings && (changes.type ?? row.type) === row.type)
      changes.settings = { ...row.settings, ...changes.settings };
    const input = withDefaults({ ...toInput(row), ...changes });
    const compiled = compileOrThrow(input, { id, revision: row.revision, activeSince: Date.now() });
    const settings = compiled.normalized as Record<string, unknown>;
    if (input.name.toLowerCase() !== row.name.toLowerCase())
      await this.ensureUniqueName(input.name);
    const evaluatedChanged = EVALUATED.some(
      (key) => canonical(key === 'settings' ? settings : input[key]) !== canonical(row[key]),
    );
    const enabling = input.enabled && !row.enabled;
    const newRevision = evaluatedChanged || enabling;
    const wasEnabled = row.enabled;
    const channels = { channelIds: row.channelIds, recipients: row.recipients };
    Object.assign(row, {
      ...input,
      settings,
      revision: newRevision ? row.revision + 1 : row.revision,
      revisedAt: newRevision ? new Date() : row.revisedAt,
    });
    await this.rules.save(row).catch((error: { code?: string }) => {
      if (error.code === '23505')
        throw new ConflictException(`An alert rule named "${input.name}" exists already`);
      throw error;
    });
    // The old revision's state is gone: its open alerts end here, said why. Saved first, so no
    // worker still running the old revision can open another (alerts need the current revision).
    if ((newRevision || !input.enabled) && wasEnabled) {
      await this.lifecycle.resolveAll(
        id,
        channels,
        input.enabled ? 'The rule was changed; it is evaluated afresh' : 'The rule was disabled',
      );
    }
    await this.announce();
    const rule = await this.get(id);
    await this.audit.record(principal, {
      action: 'alert-rule.update',
      entityType: 'alert-rule',
      entityId: id,
      before: auditView(before),
      after: auditView(rule),
    });
    return rule;
  }

  async remove(id: string, principal: Principal): Promise<void> {
    const row = await this.find(id);
    const before = auditView(toRule(row));
    // Disabled first, so no worker opens an alert between the resolutions and the deletion.
    await this.rules.update({ id }, { enabled: false });
    await this.lifecycle.resolveAll(
      id,
      { channelIds: row.channelIds, recipients: row.recipients },
      'The rule was deleted',
    );
    await this.rules.delete({ id });
    await this.announce();
    await this.audit.record(principal, {
      action: 'alert-rule.delete',
      entityType: 'alert-rule',
      entityId: id,
      before,
    });
  }

  /** Health of each rule: from Redis (last evaluated and matched) and the transition history. */
  private async health(ids: string[]): Promise<Map<string, AlertRuleHealth>> {
    const result = new Map<string, AlertRuleHealth>();
    if (ids.length === 0) return result;
    const [times, fires, changes, open] = await Promise.all([
      this.redis.client.hmget(
        this.redis.key(RULE_HEALTH_KEY),
        ...ids.flatMap((id) => [`${id}:evaluated`, `${id}:matched`]),
      ),
      this.dataSource.query(
        `SELECT rule_id, count(*)::int AS n FROM alert_transitions
          WHERE rule_id = ANY($1::uuid[]) AND at > now() - interval '7 days'
            AND to_state = 'firing' AND from_state IS DISTINCT FROM 'firing'
          GROUP BY rule_id`,
        [ids],
      ) as Promise<{ rule_id: string; n: number }[]>,
      // Per group (not per alert): a flapping pattern rule opens a new alert every burst.
      this.dataSource.query(
        `SELECT rule_id, max(n)::int AS n FROM (
           SELECT t.rule_id, a.track, a.group_key, count(*) AS n
             FROM alert_transitions t JOIN alerts a ON a.id = t.alert_id
            WHERE t.rule_id = ANY($1::uuid[]) AND t.at > now() - interval '1 hour' AND NOT t.repeat
            GROUP BY 1, 2, 3) per_group
          GROUP BY rule_id`,
        [ids],
      ) as Promise<{ rule_id: string; n: number }[]>,
      this.dataSource.query(
        `SELECT rule_id, count(*)::int AS n FROM alerts
          WHERE rule_id = ANY($1::uuid[]) AND state <> 'resolved' GROUP BY rule_id`,
        [ids],
      ) as Promise<{ rule_id: string; n: number }[]>,
    ]);
    const count = (rows: { rule_id: string; n: number }[], id: string) =>
      rows.find((row) => row.rule_id === id)?.n ?? 0;
    const time = (value: string | null) => (value ? new Date(Number(value)).toISOString() : null);
    ids.forEach((id, index) => {
      const stateChangesLastHour = count(changes, id);
      result.set(id, {
        lastEvaluatedAt: time(times[2 * index]),
        lastMatchedAt: time(times[2 * index + 1]),
        firesLast7Days: count(fires, id),
        stateChangesLastHour,
        flapping: stateChangesLastHour >= FLAPPING_CHANGES_PER_HOUR,
        openAlerts: count(open, id),
      });
    });
    return result;
  }

  private async find(id: string): Promise<AlertRuleEntity> {
    const row = await this.rules.findOne({ where: { id } });
    if (!row) throw new NotFoundException(`No alert rule ${id}`);
    return row;
  }

  private async ensureUniqueName(name: string): Promise<void> {
    const taken = await this.rules
      .createQueryBuilder('rule')
      .where('lower(rule.name) = lower(:name)', { name })
      .getExists();
    if (taken) throw new ConflictException(`An alert rule named "${name}" exists already`);
  }

  /** Running workers reload their rules within a moment. */
  private async announce(): Promise<void> {
    await this.redis.client.publish(this.redis.key(ALERT_RULES_CHANGED_CHANNEL), 'changed');
  }
}

const NO_HEALTH: AlertRuleHealth = {
  lastEvaluatedAt: null,
  lastMatchedAt: null,
  firesLast7Days: 0,
  stateChangesLastHour: 0,
  flapping: false,
  openAlerts: 0,
};

function toRule(row: AlertRuleEntity, health: AlertRuleHealth = NO_HEALTH): AlertRule {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    query: row.query,
    type: row.type,
    severity: row.severity,
    enabled: row.enabled,
    groupBy: row.groupBy,
    forSeconds: row.forSeconds,
    repeatIntervalSeconds: row.repeatIntervalSeconds,
    sampleSize: row.sampleSize,
    channelIds: row.channelIds,
    recipients: row.recipients,
    settings: row.settings as unknown as AlertRule['settings'],
    revision: row.revision,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    health,
  };
}

function toInput(row: AlertRuleEntity): AlertRuleInput {
  return {
    name: row.name,
    description: row.description,
    query: row.query,
    type: row.type,
    severity: row.severity,
    enabled: row.enabled,
    groupBy: row.groupBy,
    forSeconds: row.forSeconds,
    repeatIntervalSeconds: row.repeatIntervalSeconds,
    sampleSize: row.sampleSize,
    channelIds: row.channelIds,
    recipients: row.recipients,
    settings: row.settings,
  };
}

/** The rule as the audit log keeps it: configuration only, no health. */
function auditView(rule: AlertRule): Omit<AlertRule, 'health'> {
  const { health: _health, ...view } = rule;
  return view;
}

/** JSON with object keys sorted: jsonb gives keys back in its own order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, item]) => item !== undefined),
  ) as Partial<T>;
}
