import { Injectable } from '@nestjs/common';
import type { AnomalySettings, LogRecord } from '@app/contracts';
import { RedisService } from '@app/queue';
import type { CompiledRule } from '../rules/compile-rule';
import { Drain, templateText, tokenize } from '../templates/drain';

/** What a line's template is, for the template tracks. */
export interface TemplateTag {
  /** Shared id (the template's position in the Redis list); -1 when the miner is full. */
  id: number;
  text: string;
  /** The line created a template never seen before, after the source's warm-up. */
  isNew: boolean;
}

interface Miner {
  drain: Drain;
  /** Entries of the shared list already in `drain`. */
  synced: number;
  /** When the rule first saw this source (ms): new templates count after the warm-up. */
  firstSeen: number;
}

/** Shared templates outlive a quiet month; each new one refreshes the expiry. */
const TEMPLATE_TTL_MS = 30 * 86_400_000;

/**
 * Log templates per rule revision and source, shared by all workers. Each worker mines with its
 * own Drain tree; a template is new only when no worker has registered a similar one: before
 * calling a line new, the worker loads the templates others added to the shared Redis list
 * (append-only, so a template's position is its id everywhere) and tries again.
 */
@Injectable()
export class TemplateRegistry {
  private readonly miners = new Map<string, Miner>();

  constructor(private readonly redis: RedisService) {}

  /** Tags every line (in order) of one batch for one rule. */
  async classify(rule: CompiledRule, lines: LogRecord[], now: number): Promise<TemplateTag[]> {
    const settings = rule.normalized as AnomalySettings;
    const tags: TemplateTag[] = new Array(lines.length);
    const bySource = new Map<string, number[]>();
    lines.forEach((line, index) => {
      const indexes = bySource.get(line.source) ?? [];
      indexes.push(index);
      bySource.set(line.source, indexes);
    });
    for (const [source, indexes] of bySource) {
      const miner = await this.miner(rule, source, now);
      const warm = now - miner.firstSeen >= settings.warmupSeconds * 1000;
      let synced = false;
      for (const index of indexes) {
        const tokens = tokenize(lines[index].message);
        let template = miner.drain.match(tokens);
        if (!template && !synced) {
          await this.sync(rule, source, miner);
          synced = true;
          template = miner.drain.match(tokens);
        }
        if (template) {
          tags[index] = { id: template.id, text: templateText(template.tokens), isNew: false };
          continue;
        }
        if (miner.drain.full) {
          tags[index] = { id: -1, text: templateText(tokens), isNew: false };
          continue;
        }
        const id =
          (await this.redis.client.rpush(this.listKey(rule, source), JSON.stringify(tokens))) - 1;
        await this.redis.client.pexpire(this.listKey(rule, source), TEMPLATE_TTL_MS);
        const added = miner.drain.add(tokens, id);
        tags[index] = { id, text: templateText(added.tokens), isNew: warm };
      }
    }
    return tags;
  }

  /** The text of a template this worker knows (for reasons), if it does. */
  text(rule: CompiledRule, source: string, id: number): string | undefined {
    const template = this.miners.get(this.minerKey(rule, source))?.drain.template(id);
    return template ? templateText(template.tokens) : undefined;
  }

  private async miner(rule: CompiledRule, source: string, now: number): Promise<Miner> {
    const key = this.minerKey(rule, source);
    let miner = this.miners.get(key);
    if (!miner) {
      const firstKey = this.redis.key(`alerting:templates-first:${rule.stateKey}`);
      await this.redis.client.hsetnx(firstKey, source, now);
      await this.redis.client.pexpire(firstKey, TEMPLATE_TTL_MS);
      const firstSeen = Number(await this.redis.client.hget(firstKey, source));
      const settings = rule.normalized as AnomalySettings;
      miner = {
        drain: new Drain({ similarity: settings.similarity ?? 0.5 }),
        synced: 0,
        firstSeen,
      };
      this.miners.set(key, miner);
      this.forgetOtherRevisions(rule);
      await this.sync(rule, source, miner);
    }
    return miner;
  }

  /** Adds the templates other workers registered since the last sync. */
  private async sync(rule: CompiledRule, source: string, miner: Miner): Promise<void> {
    const entries = await this.redis.client.lrange(this.listKey(rule, source), miner.synced, -1);
    entries.forEach((entry, offset) => {
      miner.drain.add(JSON.parse(entry) as string[], miner.synced + offset);
    });
    miner.synced += entries.length;
  }

  /** Miners of a rule's older revisions are dead weight once the new revision runs. */
  private forgetOtherRevisions(rule: CompiledRule): void {
    for (const key of this.miners.keys()) {
      if (key.startsWith(`${rule.id}.`) && !key.startsWith(`${rule.stateKey}|`))
        this.miners.delete(key);
    }
  }

  private minerKey(rule: CompiledRule, source: string): string {
    return `${rule.stateKey}|${source}`;
  }

  private listKey(rule: CompiledRule, source: string): string {
    return this.redis.key(`alerting:templates:${rule.stateKey}:${source}`);
  }
}
