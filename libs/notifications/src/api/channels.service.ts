import {
  BadRequestException,
  ConflictException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { AuditService, type Principal } from '@app/auth';
import {
  ALERT_SEVERITIES,
  type ChannelTestResult,
  type ChannelType,
  type NotificationChannel,
} from '@app/contracts';
import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import type { ChannelHandler } from '../channels/channel-type';
import { ChannelTypes } from '../channels/channel-types';
import { DeliveryMetrics } from '../delivery/delivery-metrics';
import { DeliverySender } from '../delivery/delivery-sender';
import { MessageComposer } from '../delivery/message-composer';
import { ChannelStore, toStoredChannel } from '../store/channel-store';
import { DeliveryLog } from '../store/delivery-log';
import { ChannelEntity } from '../store/entities';
import { TemplateStore } from '../store/template-store';
import { sampleAlert } from '../templates/template-context';
import type { CreateChannelDto, UpdateChannelDto } from './channels.dto';

/** New channels get this flood control unless they say otherwise. */
const DEFAULT_RATE_LIMIT = { maxMessages: 10, windowSeconds: 60 };

/** Channel CRUD and "send a test". Secrets are stored and used, never returned. */
@Injectable()
export class ChannelsService {
  constructor(
    @InjectRepository(ChannelEntity) private readonly channels: Repository<ChannelEntity>,
    private readonly store: ChannelStore,
    private readonly types: ChannelTypes,
    private readonly templates: TemplateStore,
    private readonly audit: AuditService,
    private readonly composer: MessageComposer,
    private readonly log: DeliveryLog,
    private readonly sender: DeliverySender,
    private readonly metrics: DeliveryMetrics,
  ) {}

  async list(): Promise<NotificationChannel[]> {
    const rows = await this.channels.find({ order: { name: 'ASC' } });
    return rows.map((row) => this.store.toResponse(row));
  }

  async get(id: string): Promise<NotificationChannel> {
    return this.store.toResponse(await this.entity(id));
  }

  async create(principal: Principal, body: CreateChannelDto): Promise<NotificationChannel> {
    const handler = this.types.get(body.type);
    await this.ensureNameFree(body.name);
    await this.checkTemplate(body.templateId ?? null, body.type);
    const { settings, secrets } = await this.parseSettings(handler, body.settings);
    const rateLimit = body.rateLimit === undefined ? DEFAULT_RATE_LIMIT : body.rateLimit;
    const entity = await this.channels
      .save(
        this.channels.create({
          name: body.name,
          type: body.type,
          enabled: body.enabled ?? true,
          severities: body.severities ?? [...ALERT_SEVERITIES],
          templateId: body.templateId ?? null,
          settings,
          secrets,
          rateLimitMax: rateLimit?.maxMessages ?? null,
          rateLimitWindowSeconds: rateLimit?.windowSeconds ?? DEFAULT_RATE_LIMIT.windowSeconds,
        }),
      )
      .catch(conflictOnDuplicate(body.name));
    const after = this.store.toResponse(entity);
    await this.audit.record(principal, {
      action: 'channel.create',
      entityType: 'channel',
      entityId: entity.id,
      after,
    });
    return after;
  }

  async update(
    principal: Principal,
    id: string,
    body: UpdateChannelDto,
  ): Promise<NotificationChannel> {
    const entity = await this.entity(id);
    const before = this.store.toResponse(entity);
    const handler = this.types.get(entity.type);
    if (body.name !== undefined && body.name.toLowerCase() !== entity.name.toLowerCase())
      await this.ensureNameFree(body.name, id);
    if (body.templateId !== undefined)
      await this.checkTemplate(body.templateId, entity.type as ChannelType);
    if (body.settings !== undefined) {
      Object.assign(
        entity,
        await this.parseSettings(handler, body.settings, {
          settings: entity.settings,
          secrets: entity.secrets,
        }),
      );
    }
    if (body.name !== undefined) entity.name = body.name;
    if (body.enabled !== undefined) entity.enabled = body.enabled;
    if (body.severities !== undefined) entity.severities = body.severities;
    if (body.templateId !== undefined) entity.templateId = body.templateId;
    if (body.rateLimit !== undefined) {
      entity.rateLimitMax = body.rateLimit?.maxMessages ?? null;
      if (body.rateLimit) entity.rateLimitWindowSeconds = body.rateLimit.windowSeconds;
    }
    const saved = await this.channels.save(entity).catch(conflictOnDuplicate(entity.name));
    const after = this.store.toResponse(saved);
    await this.audit.record(principal, {
      action: 'channel.update',
      entityType: 'channel',
      entityId: id,
      before,
      after,
    });
    return after;
  }

  /** The delivery log keeps its rows (channel name and type are on each). */
  async remove(principal: Principal, id: string): Promise<void> {
    const entity = await this.entity(id);
    const before = this.store.toResponse(entity);
    await this.channels.delete({ id });
    await this.audit.record(principal, {
      action: 'channel.delete',
      entityType: 'channel',
      entityId: id,
      before,
    });
  }

  /**
   * Sends a test message now, rendered with the channel's template from a sample alert, and
   * records it as a delivery (kind `test`) with its one attempt. Disabled channels can be tested.
   */
  async test(principal: Principal, id: string): Promise<ChannelTestResult> {
    const channel = toStoredChannel(await this.entity(id));
    const who = principal.kind === 'user' ? principal.username : principal.name;
    const sample = sampleAlert('firing');
    const notification = {
      ...sample,
      transitionId: `test-${randomUUID()}`,
      ruleName: 'Lookout test notification',
      reason: `A test of channel "${channel.name}" sent by ${who}: if you can read this, the channel works`,
      samples: sample.samples.slice(1).map((line) => ({ ...line, ts: new Date().toISOString() })),
      groupKey: '',
      group: {},
    };
    const { target, message } = await this.composer.alert(
      channel,
      notification,
      this.composer.targetInput([]),
    );
    const deliveryId = await this.log.insertTest({
      kind: 'test',
      channel,
      notification,
      target,
      message,
      maxAttempts: 1,
    });
    const { delivery } = (await this.log.claim(deliveryId, { anyChannel: true }))!;
    const result = await this.sender.attempt(delivery, channel);
    if (!result.ok) {
      await this.log.markDead(
        deliveryId,
        result.failure.message,
        result.failure.details.response ?? null,
      );
      this.metrics.count(channel.type, 'dead');
    }
    return {
      deliveryId,
      ok: result.ok,
      status: result.ok ? 'sent' : 'dead',
      response: result.ok ? result.response : (result.failure.details.response ?? null),
      error: result.ok ? null : result.failure.message,
      durationMs: Math.round(result.durationMs),
    };
  }

  private async entity(id: string): Promise<ChannelEntity> {
    const entity = await this.channels.findOneBy({ id });
    if (!entity) throw new NotFoundException(`No channel with id ${id}`);
    return entity;
  }

  private async ensureNameFree(name: string, exceptId?: string): Promise<void> {
    const taken = await this.channels
      .createQueryBuilder('c')
      .where('lower(c.name) = lower(:name)', { name })
      .andWhere(exceptId ? 'c.id <> :exceptId' : 'true', { exceptId })
      .getCount();
    if (taken > 0) throw new ConflictException(`A channel named "${name}" exists already`);
  }

  private async checkTemplate(templateId: string | null, type: ChannelType): Promise<void> {
    if (templateId === null) return;
    const template = await this.templates.find(templateId);
    if (!template) throw new BadRequestException(`templateId: no template with id ${templateId}`);
    if (template.channelType !== type)
      throw new BadRequestException(
        `templateId: "${template.name}" is a ${template.channelType} template, this is a ${type} channel`,
      );
  }

  /**
   * Merges the input into the stored settings (null removes a field), validates the result with
   * the type's DTO and checks, and splits it into settings and secrets.
   */
  private async parseSettings(
    handler: ChannelHandler,
    input: Record<string, unknown>,
    stored?: { settings: Record<string, unknown>; secrets: Record<string, unknown> },
  ): Promise<{ settings: Record<string, unknown>; secrets: Record<string, unknown> }> {
    const merged: Record<string, unknown> = { ...stored?.settings, ...stored?.secrets };
    for (const [key, value] of Object.entries(input)) {
      if (value === null) delete merged[key];
      else if (value !== undefined) merged[key] = value;
    }
    const errors = await validate(plainToInstance(handler.settingsDto, merged), {
      whitelist: true,
      forbidNonWhitelisted: true,
    });
    const problems = errors.flatMap((error) => messages(error, 'settings'));
    if (problems.length > 0) throw new BadRequestException(problems);
    const settings: Record<string, unknown> = {};
    const secrets: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(merged)) {
      if (value === undefined) continue;
      (handler.secretKeys.includes(key) ? secrets : settings)[key] = value;
    }
    const more = await handler.validate(settings, secrets);
    if (more.length > 0) throw new BadRequestException(more);
    return { settings, secrets };
  }
}

function messages(error: ValidationError, prefix: string): string[] {
  const path = `${prefix}.${error.property}`;
  const own = Object.values(error.constraints ?? {}).map((message) =>
    message.startsWith('settings.')
      ? message
      : message.startsWith(error.property)
        ? `${prefix}.${message}`
        : message.replace(/^property /, `${prefix}.`),
  );
  return [...own, ...(error.children ?? []).flatMap((child) => messages(child, path))];
}

function conflictOnDuplicate(name: string) {
  return (error: unknown): never => {
    if ((error as { code?: string }).code === '23505')
      throw new ConflictException(`A channel named "${name}" exists already`);
    throw error;
  };
}
