import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { ChannelType } from '@app/contracts';
import { Repository } from 'typeorm';
import {
  builtinTemplate,
  BUILTIN_TEMPLATE_PREFIX,
  DEFAULT_TEMPLATE_ID,
  type TemplateDefinition,
} from '../templates/builtin-templates';
import { TemplateEntity } from './entities';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function toDefinition(entity: TemplateEntity): TemplateDefinition {
  return {
    id: entity.id,
    name: entity.name,
    channelType: entity.channelType as ChannelType,
    contentType: entity.contentType,
    timeZone: entity.timeZone,
    firing: entity.firing,
    resolved: entity.resolved,
    summary: entity.summary,
    version: entity.updatedAt.toISOString(),
  };
}

/** Finds templates, built-in or stored, for rendering (api and worker). */
@Injectable()
export class TemplateStore {
  private readonly logger = new Logger(TemplateStore.name);

  constructor(
    @InjectRepository(TemplateEntity) private readonly templates: Repository<TemplateEntity>,
  ) {}

  async find(id: string): Promise<TemplateDefinition | null> {
    if (id.startsWith(BUILTIN_TEMPLATE_PREFIX)) return builtinTemplate(id) ?? null;
    if (!UUID.test(id)) return null;
    const entity = await this.templates.findOneBy({ id });
    return entity ? toDefinition(entity) : null;
  }

  /** The channel's template, or its type's default when it names none (or one that went away). */
  async forChannel(templateId: string | null, type: ChannelType): Promise<TemplateDefinition> {
    if (templateId) {
      const template = await this.find(templateId);
      if (template && template.channelType === type) return template;
      this.logger.warn(`Template ${templateId} is missing; using the ${type} default`);
    }
    return this.defaultFor(type);
  }

  defaultFor(type: ChannelType): TemplateDefinition {
    return builtinTemplate(DEFAULT_TEMPLATE_ID[type])!;
  }
}
