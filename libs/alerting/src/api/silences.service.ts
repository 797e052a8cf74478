import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Silence } from '@app/contracts';
import { AuditService, type Principal } from '@app/auth';
import { MoreThan, Repository } from 'typeorm';
import { AlertRuleEntity } from '../model/alert-rule.entity';
import { SilenceEntity } from '../model/silence.entity';
import type { CreateSilenceDto } from './alerts.dto';

const MAX_MATCHERS = 10;

/**
 * Silences: time-bounded, for one rule or all, for the groups their matchers match. Transitions
 * they cover are stored, marked, and not sent. Workers read them at each transition, so a new
 * silence holds from the next transition on.
 */
@Injectable()
export class SilencesService {
  constructor(
    @InjectRepository(SilenceEntity) private readonly silences: Repository<SilenceEntity>,
    @InjectRepository(AlertRuleEntity) private readonly rules: Repository<AlertRuleEntity>,
    private readonly audit: AuditService,
  ) {}

  /** Newest first; `active` only those in force now (or later: upcoming ones too). */
  async list(activeOnly: boolean): Promise<Silence[]> {
    const rows = await this.silences.find({
      where: activeOnly ? { endsAt: MoreThan(new Date()) } : {},
      order: { createdAt: 'DESC' },
      take: 1000,
    });
    return rows.map(toSilence);
  }

  async get(id: string): Promise<Silence> {
    return toSilence(await this.find(id));
  }

  async create(body: CreateSilenceDto, principal: Principal): Promise<Silence> {
    const now = Date.now();
    const startsAt = body.startsAt ? new Date(body.startsAt) : new Date(now);
    const endsAt = new Date(body.endsAt);
    if (endsAt <= startsAt) throw new BadRequestException('endsAt must be after startsAt');
    if (endsAt.getTime() <= now) throw new BadRequestException('endsAt must be in the future');
    const matchers = body.matchers ?? {};
    const entries = Object.entries(matchers);
    if (entries.length > MAX_MATCHERS)
      throw new BadRequestException(`A silence takes at most ${MAX_MATCHERS} matchers`);
    for (const [field, value] of entries) {
      if (typeof value !== 'string' || value.length === 0 || value.length > 500)
        throw new BadRequestException(
          `matchers.${field} must be a non-empty string (up to 500 characters)`,
        );
    }
    if (body.ruleId && !(await this.rules.exists({ where: { id: body.ruleId } })))
      throw new BadRequestException(`No alert rule ${body.ruleId}`);
    const saved = await this.silences.save(
      this.silences.create({
        ruleId: body.ruleId ?? null,
        matchers,
        startsAt,
        endsAt,
        comment: body.comment ?? null,
        createdBy: principal.kind === 'user' ? principal.username : `api-key:${principal.name}`,
      }),
    );
    const silence = toSilence(saved);
    await this.audit.record(principal, {
      action: 'silence.create',
      entityType: 'silence',
      entityId: saved.id,
      after: silence,
    });
    return silence;
  }

  /** Ends a silence now (it stays in the list as history). */
  async expire(id: string, principal: Principal): Promise<Silence> {
    const row = await this.find(id);
    const before = toSilence(row);
    const now = new Date();
    if (row.endsAt > now) {
      row.endsAt = now;
      // One that had not started keeps a window of 1 ms before now (the table needs ends > starts).
      if (row.startsAt >= now) row.startsAt = new Date(now.getTime() - 1);
      await this.silences.save(row);
    }
    const after = toSilence(row);
    await this.audit.record(principal, {
      action: 'silence.expire',
      entityType: 'silence',
      entityId: id,
      before,
      after,
    });
    return after;
  }

  private async find(id: string): Promise<SilenceEntity> {
    const row = await this.silences.findOne({ where: { id } });
    if (!row) throw new NotFoundException(`No silence ${id}`);
    return row;
  }
}

function toSilence(row: SilenceEntity): Silence {
  const now = Date.now();
  return {
    id: row.id,
    ruleId: row.ruleId,
    matchers: row.matchers,
    startsAt: row.startsAt.toISOString(),
    endsAt: row.endsAt.toISOString(),
    comment: row.comment,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    active: row.startsAt.getTime() <= now && now < row.endsAt.getTime(),
  };
}
