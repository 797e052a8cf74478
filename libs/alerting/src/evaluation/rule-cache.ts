import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { RedisService } from '@app/queue';
import type Redis from 'ioredis';
import { Repository } from 'typeorm';
import { AlertRuleEntity } from '../model/alert-rule.entity';
import { compileRule, type CompiledRule } from '../rules/compile-rule';

/** Redis channel (after the prefix) announcing that alert rules changed. */
export const ALERT_RULES_CHANGED_CHANNEL = 'alert-rules-changed';
/** Safety net if an announcement is missed (Redis restart): reload this often anyway. */
const RELOAD_EVERY_MS = 30_000;

/** The stored rule as evaluation needs it. */
export function definitionOf(entity: AlertRuleEntity) {
  return {
    id: entity.id,
    revision: entity.revision,
    name: entity.name,
    query: entity.query,
    type: entity.type,
    severity: entity.severity,
    groupBy: entity.groupBy,
    forSeconds: entity.forSeconds,
    repeatIntervalSeconds: entity.repeatIntervalSeconds,
    sampleSize: entity.sampleSize,
    channelIds: entity.channelIds,
    recipients: entity.recipients,
    settings: entity.settings,
    activeSince: entity.revisedAt.getTime(),
  };
}

/**
 * The compiled enabled rules, kept current in running workers without a restart: reloaded when
 * the api announces a change on Redis, and every 30 s.
 */
@Injectable()
export class RuleCache implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RuleCache.name);
  private rules: CompiledRule[] = [];
  private subscriber: Redis | undefined;
  private timer: NodeJS.Timeout | undefined;
  private loading: Promise<void> = Promise.resolve();

  constructor(
    @InjectRepository(AlertRuleEntity) private readonly repository: Repository<AlertRuleEntity>,
    private readonly redis: RedisService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
    this.subscriber = this.redis.createSubscriber();
    await this.subscriber.subscribe(this.redis.key(ALERT_RULES_CHANGED_CHANNEL));
    this.subscriber.on('message', () => void this.reload());
    this.timer = setInterval(() => void this.reload(), RELOAD_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  active(): readonly CompiledRule[] {
    return this.rules;
  }

  byId(id: string): CompiledRule | undefined {
    return this.rules.find((rule) => rule.id === id);
  }

  /** Loads and compiles every enabled rule; one that no longer compiles is skipped with an error. */
  reload(): Promise<void> {
    // One load at a time; a change announced during a load gets a load of its own after it.
    this.loading = this.loading.then(() => this.load());
    return this.loading;
  }

  private async load(): Promise<void> {
    try {
      const rows = await this.repository.find({ where: { enabled: true }, order: { name: 'ASC' } });
      const compiled: CompiledRule[] = [];
      for (const row of rows) {
        try {
          compiled.push(compileRule(definitionOf(row)));
        } catch (error) {
          this.logger.error(
            `Alert rule "${row.name}" does not compile: ${(error as Error).message}`,
          );
        }
      }
      this.rules = compiled;
    } catch (error) {
      this.logger.warn(`Could not reload alert rules: ${(error as Error).message}`);
    }
  }
}
