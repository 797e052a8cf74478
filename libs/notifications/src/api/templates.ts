import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Injectable,
  NotFoundException,
  Param,
  Patch,
  Post,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
  OmitType,
  PartialType,
} from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { AuditService, CurrentPrincipal, RequireRole, type Principal } from '@app/auth';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import {
  CHANNEL_TYPES,
  type AlertNotification,
  type ChannelType,
  type CreateTemplateRequest,
  type NotificationTemplate,
  type TemplateParts,
  type TemplatePreviewRequest,
  type TemplatePreviewResponse,
} from '@app/contracts';
import { Transform, Type } from 'class-transformer';
import {
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { Repository } from 'typeorm';
import { ChannelEntity, TemplateEntity } from '../store/entities';
import { TemplateStore, toDefinition } from '../store/template-store';
import {
  BUILTIN_TEMPLATES,
  BUILTIN_TEMPLATE_PREFIX,
  toTemplateResponse,
  type TemplateDefinition,
} from '../templates/builtin-templates';
import {
  checkTemplate,
  renderAlertMessage,
  renderSummaryMessage,
  sampleSummaryContext,
  type RenderedMessage,
} from '../templates/message-renderer';
import { sampleAlert } from '../templates/template-context';
import { TemplateError, TEMPLATE_HELPERS } from '../templates/template-engine';
import { trim } from './channels.dto';

const MAX_PART_LENGTH = 100_000;

export class TemplatePartsDto implements TemplateParts {
  @ApiPropertyOptional({
    description: 'Email: subject line',
    example: '[{{severityLabel}}] {{ruleName}}',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  subject?: string;

  @ApiPropertyOptional({ description: 'Email: plain-text body (not escaped)' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_PART_LENGTH)
  text?: string;

  @ApiPropertyOptional({
    description: 'Email: HTML body; {{value}} is HTML-escaped, {{{value}}} is raw',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_PART_LENGTH)
  html?: string;

  @ApiPropertyOptional({
    description:
      'Webhook: request body. With a JSON content type {{value}} is escaped as JSON string content and {{{json value}}} inserts a JSON value',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_PART_LENGTH)
  body?: string;
}

const HELP = `Handlebars; variables: the AlertNotification fields (ruleName, severity, state, reason, value, threshold, comparison, windowStart, windowEnd, group, groupKey, query, startedAt, resolvedAt, samples[id, ts, level, source, host, message], …) plus alert, firing, resolved, stateLabel, severityLabel, groupText, sampleCount, comparisonText, durationText, alertUrl, publicUrl. Helpers: ${TEMPLATE_HELPERS.join(', ')}.`;

export class CreateTemplateDto implements CreateTemplateRequest {
  @ApiProperty({ example: 'Ops email' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: CHANNEL_TYPES })
  @IsIn(CHANNEL_TYPES, { message: `channelType must be one of ${CHANNEL_TYPES.join(', ')}` })
  channelType!: ChannelType;

  @ApiPropertyOptional({
    description: 'Webhook templates: Content-Type of the body',
    default: 'application/json',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w.+-]+=[\w.+-]+)*$/, {
    message: 'contentType must be a media type such as application/json',
  })
  contentType?: string;

  @ApiPropertyOptional({
    description: 'IANA time zone of the date helper',
    default: 'UTC',
    example: 'Europe/Berlin',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  timeZone?: string;

  @ApiProperty({ type: TemplatePartsDto, description: `When an alert fires. ${HELP}` })
  @IsObject()
  @ValidateNested()
  @Type(() => TemplatePartsDto)
  firing!: TemplatePartsDto;

  @ApiProperty({ type: TemplatePartsDto, description: 'When an alert resolves (same variables)' })
  @IsObject()
  @ValidateNested()
  @Type(() => TemplatePartsDto)
  resolved!: TemplatePartsDto;

  @ApiPropertyOptional({
    type: TemplatePartsDto,
    nullable: true,
    description:
      'The rate-limit summary. Variables: channelName, count, windowStart, windowEnd, windowSeconds, items[ruleName, severity, state, reason, groupText, startedAt, createdAt, alertUrl, deliveryId], deliveriesUrl, publicUrl. null: the default summary',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => TemplatePartsDto)
  summary?: TemplatePartsDto | null;
}

export class UpdateTemplateDto extends PartialType(
  OmitType(CreateTemplateDto, ['channelType'] as const),
) {}

export class TemplatePreviewDto
  extends PartialType(CreateTemplateDto)
  implements TemplatePreviewRequest
{
  @ApiPropertyOptional({
    description:
      'Preview a saved or built-in template; otherwise the template in this body is previewed',
    example: 'builtin-slack',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  templateId?: string;

  @ApiPropertyOptional({
    description:
      'An AlertNotification (or some of its fields) to render instead of the sample alert',
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional()
  @IsObject()
  alert?: AlertNotification;
}

export class TemplateDto implements NotificationTemplate {
  @ApiProperty({ example: 'builtin-slack' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: CHANNEL_TYPES }) channelType!: ChannelType;
  @ApiProperty({ description: 'Built-in templates cannot be changed or deleted' })
  builtIn!: boolean;
  @ApiProperty({ nullable: true, type: String }) contentType!: string | null;
  @ApiProperty() timeZone!: string;
  @ApiProperty({ type: TemplatePartsDto }) firing!: TemplatePartsDto;
  @ApiProperty({ type: TemplatePartsDto }) resolved!: TemplatePartsDto;
  @ApiProperty({ type: TemplatePartsDto, nullable: true }) summary!: TemplatePartsDto | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) createdAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) updatedAt!: string | null;
}

export class TemplatePreviewResponseDto implements TemplatePreviewResponse {
  @ApiProperty({ type: TemplatePartsDto }) firing!: TemplatePartsDto;
  @ApiProperty({ type: TemplatePartsDto }) resolved!: TemplatePartsDto;
  @ApiProperty({ type: TemplatePartsDto }) summary!: TemplatePartsDto;
}

function partsOf(message: RenderedMessage): TemplateParts {
  const parts: TemplateParts = {};
  if (message.subject !== null) parts.subject = message.subject;
  if (message.text !== null) parts.text = message.text;
  if (message.html !== null) parts.html = message.html;
  if (message.body !== null) parts.body = message.body;
  return parts;
}

/** The parts a channel type uses; the others are refused rather than silently ignored. */
const PARTS: Record<ChannelType, (keyof TemplateParts)[]> = {
  email: ['subject', 'text', 'html'],
  webhook: ['body'],
};

/**
 * Message templates: the built-ins (read-only) and admin-made ones, checked strictly when saved
 * (compiled, rendered against sample alerts) so a misspelled variable is a 400 naming it.
 */
@Injectable()
export class TemplatesService {
  constructor(
    @InjectRepository(TemplateEntity) private readonly templates: Repository<TemplateEntity>,
    @InjectRepository(ChannelEntity) private readonly channels: Repository<ChannelEntity>,
    private readonly store: TemplateStore,
    private readonly audit: AuditService,
    @Inject(LOOKOUT_CONFIG) private readonly config: LookoutConfig,
  ) {}

  async list(): Promise<NotificationTemplate[]> {
    const stored = await this.templates.find({ order: { name: 'ASC' } });
    return [
      ...BUILTIN_TEMPLATES.map((template) => toTemplateResponse(template)),
      ...stored.map((entity) => toTemplateResponse(toDefinition(entity), entity)),
    ];
  }

  async get(id: string): Promise<NotificationTemplate> {
    if (id.startsWith(BUILTIN_TEMPLATE_PREFIX)) {
      const builtIn = BUILTIN_TEMPLATES.find((template) => template.id === id);
      if (!builtIn) throw new NotFoundException(`No template with id ${id}`);
      return toTemplateResponse(builtIn);
    }
    const entity = await this.entity(id);
    return toTemplateResponse(toDefinition(entity), entity);
  }

  async create(principal: Principal, body: CreateTemplateDto): Promise<NotificationTemplate> {
    const definition = this.definition(body);
    this.check(definition);
    await this.ensureNameFree(body.name);
    const entity = await this.templates
      .save(
        this.templates.create({
          name: definition.name,
          channelType: definition.channelType,
          contentType: definition.contentType,
          timeZone: definition.timeZone,
          firing: definition.firing,
          resolved: definition.resolved,
          summary: definition.summary,
        }),
      )
      .catch(conflictOnDuplicate(body.name));
    const after = toTemplateResponse(toDefinition(entity), entity);
    await this.audit.record(principal, {
      action: 'template.create',
      entityType: 'template',
      entityId: entity.id,
      after,
    });
    return after;
  }

  async update(
    principal: Principal,
    id: string,
    body: UpdateTemplateDto,
  ): Promise<NotificationTemplate> {
    const entity = await this.entity(id);
    const before = toTemplateResponse(toDefinition(entity), entity);
    const current = toDefinition(entity);
    const definition = this.definition({
      name: body.name ?? current.name,
      channelType: current.channelType,
      contentType: body.contentType ?? current.contentType ?? undefined,
      timeZone: body.timeZone ?? current.timeZone,
      firing: body.firing ?? current.firing,
      resolved: body.resolved ?? current.resolved,
      summary: body.summary === undefined ? current.summary : body.summary,
    });
    this.check(definition);
    if (definition.name.toLowerCase() !== entity.name.toLowerCase())
      await this.ensureNameFree(definition.name, id);
    Object.assign(entity, {
      name: definition.name,
      contentType: definition.contentType,
      timeZone: definition.timeZone,
      firing: definition.firing,
      resolved: definition.resolved,
      summary: definition.summary,
    });
    const saved = await this.templates.save(entity).catch(conflictOnDuplicate(definition.name));
    const after = toTemplateResponse(toDefinition(saved), saved);
    await this.audit.record(principal, {
      action: 'template.update',
      entityType: 'template',
      entityId: id,
      before,
      after,
    });
    return after;
  }

  async remove(principal: Principal, id: string): Promise<void> {
    const entity = await this.entity(id);
    const users = await this.channels.find({ where: { templateId: id }, order: { name: 'ASC' } });
    if (users.length > 0) {
      throw new ConflictException(
        `Template "${entity.name}" is used by ${users.map((c) => `"${c.name}"`).join(', ')}: change those channels first`,
      );
    }
    await this.templates.delete({ id });
    await this.audit.record(principal, {
      action: 'template.delete',
      entityType: 'template',
      entityId: id,
      before: toTemplateResponse(toDefinition(entity), entity),
    });
  }

  /** Renders firing, resolved and summary of a saved or unsaved template against a sample alert. */
  async preview(body: TemplatePreviewDto): Promise<TemplatePreviewResponse> {
    let definition: TemplateDefinition;
    if (body.templateId) {
      const found = await this.store.find(body.templateId);
      if (!found) throw new NotFoundException(`No template with id ${body.templateId}`);
      definition = found;
    } else {
      if (!body.channelType || !body.firing || !body.resolved)
        throw new BadRequestException(
          'Give templateId, or channelType, firing and resolved to preview',
        );
      definition = this.definition({ ...body, name: body.name ?? 'preview' } as CreateTemplateDto);
      this.check(definition);
    }
    const publicUrl = this.config.publicUrl;
    const alert = (state: 'firing' | 'resolved'): AlertNotification => {
      const merged = { ...sampleAlert(state), ...(body.alert ?? {}), state };
      if (state === 'resolved' && !merged.resolvedAt) merged.resolvedAt = new Date().toISOString();
      return merged;
    };
    try {
      return {
        firing: partsOf(renderAlertMessage(definition, alert('firing'), publicUrl)),
        resolved: partsOf(renderAlertMessage(definition, alert('resolved'), publicUrl)),
        summary: partsOf(renderSummaryMessage(definition, sampleSummaryContext(publicUrl))),
      };
    } catch (error) {
      if (error instanceof TemplateError) throw new BadRequestException(error.message);
      throw error;
    }
  }

  private definition(body: CreateTemplateDto): TemplateDefinition {
    const allowed = PARTS[body.channelType];
    const problems: string[] = [];
    const clean = (
      variant: string,
      parts: TemplateParts | null | undefined,
    ): TemplateParts | null => {
      if (!parts) return null;
      const kept: TemplateParts = {};
      for (const [name, value] of Object.entries(parts) as [
        keyof TemplateParts,
        string | undefined,
      ][]) {
        if (value === undefined || value === null) continue;
        if (!allowed.includes(name))
          problems.push(
            `${variant}.${name} is not used by ${body.channelType} templates (they have ${allowed.join(', ')})`,
          );
        else kept[name] = value;
      }
      return kept;
    };
    const definition: TemplateDefinition = {
      id: 'unsaved',
      name: body.name,
      channelType: body.channelType,
      contentType: body.channelType === 'webhook' ? (body.contentType ?? 'application/json') : null,
      timeZone: body.timeZone ?? 'UTC',
      firing: clean('firing', body.firing) ?? {},
      resolved: clean('resolved', body.resolved) ?? {},
      summary: clean('summary', body.summary),
      version: 'unsaved',
    };
    if (body.channelType === 'email' && body.contentType !== undefined)
      problems.push('contentType is for webhook templates only');
    if (problems.length > 0) throw new BadRequestException(problems);
    return definition;
  }

  private check(definition: TemplateDefinition): void {
    try {
      checkTemplate(definition, this.config.publicUrl);
    } catch (error) {
      if (error instanceof TemplateError) throw new BadRequestException(error.message);
      throw error;
    }
  }

  private async entity(id: string): Promise<TemplateEntity> {
    if (id.startsWith(BUILTIN_TEMPLATE_PREFIX))
      throw new BadRequestException(
        `${id} is a built-in template and cannot be changed or deleted: create a new one from its text`,
      );
    const entity = /^[0-9a-f-]{36}$/i.test(id) ? await this.templates.findOneBy({ id }) : null;
    if (!entity) throw new NotFoundException(`No template with id ${id}`);
    return entity;
  }

  private async ensureNameFree(name: string, exceptId?: string): Promise<void> {
    const clash =
      BUILTIN_TEMPLATES.some((t) => t.name.toLowerCase() === name.toLowerCase()) ||
      (await this.templates
        .createQueryBuilder('t')
        .where('lower(t.name) = lower(:name)', { name })
        .andWhere(exceptId ? 't.id <> :exceptId' : 'true', { exceptId })
        .getCount()) > 0;
    if (clash) throw new ConflictException(`A template named "${name}" exists already`);
  }
}

function conflictOnDuplicate(name: string) {
  return (error: unknown): never => {
    if ((error as { code?: string }).code === '23505')
      throw new ConflictException(`A template named "${name}" exists already`);
    throw error;
  };
}

@ApiTags('notifications')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiUnauthorizedResponse({ description: 'No valid API key or token' })
@ApiForbiddenResponse({ description: 'Reading needs viewer; changing and previewing need admin' })
@RequireRole('viewer')
@Controller('api/v1/templates')
export class TemplatesController {
  constructor(private readonly templates: TemplatesService) {}

  @Get()
  @ApiOperation({ summary: 'List message templates: the built-ins, then the saved ones' })
  @ApiOkResponse({ type: [TemplateDto] })
  list(): Promise<NotificationTemplate[]> {
    return this.templates.list();
  }

  @Post('preview')
  @HttpCode(200)
  @RequireRole('admin')
  @ApiOperation({
    summary: 'Render a template against a sample alert',
    description:
      'Renders firing, resolved and summary of a saved/built-in template (templateId) or of the unsaved template in the body, against the sample alert or the given `alert` fields.',
  })
  @ApiOkResponse({ type: TemplatePreviewResponseDto })
  @ApiBadRequestResponse({
    description:
      'The template does not compile or render (the message names the part and variable)',
  })
  preview(@Body() body: TemplatePreviewDto): Promise<TemplatePreviewResponse> {
    return this.templates.preview(body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One template (a built-in id such as builtin-slack, or a saved one)' })
  @ApiOkResponse({ type: TemplateDto })
  @ApiNotFoundResponse()
  get(@Param('id') id: string): Promise<NotificationTemplate> {
    return this.templates.get(id);
  }

  @Post()
  @RequireRole('admin')
  @ApiOperation({
    summary: 'Create a template',
    description:
      'Checked strictly: every part is compiled and rendered against sample alerts (full and sparse, firing and resolved) and a sample summary; a misspelled variable or helper is a 400 that names it. JSON bodies must stay valid JSON with hostile log text.',
  })
  @ApiCreatedResponse({ type: TemplateDto })
  @ApiBadRequestResponse({
    description: 'e.g. "firing.text: unknown variable or helper \\"reson\\" (line 3, column 8)"',
  })
  @ApiConflictResponse({ description: 'The name is taken' })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateTemplateDto,
  ): Promise<NotificationTemplate> {
    return this.templates.create(principal, body);
  }

  @Patch(':id')
  @RequireRole('admin')
  @ApiOperation({ summary: 'Change a template (checked like a new one)' })
  @ApiOkResponse({ type: TemplateDto })
  @ApiBadRequestResponse({ description: 'Invalid template, or a built-in one' })
  @ApiNotFoundResponse()
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: UpdateTemplateDto,
  ): Promise<NotificationTemplate> {
    return this.templates.update(principal, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('admin')
  @ApiOperation({ summary: 'Delete a template no channel uses' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'Channels use it' })
  remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    return this.templates.remove(principal, id);
  }
}
