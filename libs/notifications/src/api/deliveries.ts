import {
  BadRequestException,
  Controller,
  Get,
  HttpCode,
  Injectable,
  NotFoundException,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuditService, CurrentPrincipal, RequireRole, type Principal } from '@app/auth';
import {
  ALERT_SEVERITIES,
  CHANNEL_TYPES,
  DELIVERY_KINDS,
  DELIVERY_STATUSES,
  type AlertSeverity,
  type ChannelType,
  type Delivery,
  type DeliveryAttempt,
  type DeliveryDetail,
  type DeliveryKind,
  type DeliveryPage,
  type DeliveryStatus,
} from '@app/contracts';
import { Transform, Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { DeliveryQueue } from '../delivery/delivery-queue';
import { DeliveryLog } from '../store/delivery-log';

const ID = /^\d{1,19}$/;

/** `a,b` or repeated `?x=a&x=b` → ['a', 'b']. */
const toList = ({ value }: { value: unknown }): string[] | undefined => {
  if (value === undefined || value === null || value === '') return undefined;
  return (Array.isArray(value) ? value : [value])
    .flatMap((item) => String(item).split(','))
    .map((item) => item.trim())
    .filter(Boolean);
};

export class DeliveryQueryDto {
  @ApiPropertyOptional({ description: 'Deliveries made for this alert' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  alertId?: string;

  @ApiPropertyOptional({ description: 'Deliveries made for this alert transition' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  transitionId?: string;

  @ApiPropertyOptional({ description: 'Deliveries made for alerts of this rule' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  ruleId?: string;

  @ApiPropertyOptional({
    description: 'Deliveries whose message showed this log line (its id)',
    example: '184467',
  })
  @IsOptional()
  @Matches(ID, { message: 'logId must be a log line id (digits)' })
  logId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'channelId must be a UUID' })
  channelId?: string;

  @ApiPropertyOptional({
    enum: DELIVERY_STATUSES,
    isArray: true,
    description: 'One or more (comma-separated)',
    example: 'dead,retrying',
  })
  @IsOptional()
  @Transform(toList)
  @IsIn(DELIVERY_STATUSES, {
    each: true,
    message: `status must be among ${DELIVERY_STATUSES.join(', ')}`,
  })
  status?: DeliveryStatus[];

  @ApiPropertyOptional({ enum: DELIVERY_KINDS })
  @IsOptional()
  @IsIn(DELIVERY_KINDS, { message: `kind must be one of ${DELIVERY_KINDS.join(', ')}` })
  kind?: DeliveryKind;

  @ApiPropertyOptional({
    description: 'Created at or after (ISO 8601)',
    example: '2026-11-21T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date-time' })
  from?: string;

  @ApiPropertyOptional({ description: 'Created before (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date-time' })
  to?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @Matches(ID, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(500)
  limit?: number;
}

export class DeliveryDto implements Delivery {
  @ApiProperty({ example: '42' }) id!: string;
  @ApiProperty({ enum: DELIVERY_KINDS }) kind!: DeliveryKind;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status!: DeliveryStatus;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) channelId!: string | null;
  @ApiProperty() channelName!: string;
  @ApiProperty({ enum: CHANNEL_TYPES }) channelType!: ChannelType;
  @ApiProperty({ nullable: true, type: String }) transitionId!: string | null;
  @ApiProperty({ nullable: true, type: String }) alertId!: string | null;
  @ApiProperty({ nullable: true, type: String }) ruleId!: string | null;
  @ApiProperty({ nullable: true, type: String }) ruleName!: string | null;
  @ApiProperty({ nullable: true, enum: ALERT_SEVERITIES }) severity!: AlertSeverity | null;
  @ApiProperty({ nullable: true, enum: ['firing', 'resolved'] }) state!:
    'firing' | 'resolved' | null;
  @ApiProperty({ example: 'oncall@example.com' }) target!: string;
  @ApiProperty({ type: [String] }) recipients!: string[];
  @ApiProperty({ nullable: true, type: String }) subject!: string | null;
  @ApiProperty({ type: [String] }) sampleLogIds!: string[];
  @ApiProperty() attempts!: number;
  @ApiProperty() maxAttempts!: number;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Why the last attempt failed, or why it is dead',
  })
  lastError!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '250 OK' }) lastResponse!: string | null;
  @ApiProperty({ nullable: true, type: String }) summaryId!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) sentAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) nextAttemptAt!: string | null;
}

export class DeliveryAttemptDto implements DeliveryAttempt {
  @ApiProperty() attempt!: number;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty() durationMs!: number;
  @ApiProperty({ enum: ['sent', 'failed', 'refused'] }) outcome!: 'sent' | 'failed' | 'refused';
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'SMTP reply or HTTP status and body start',
  })
  response!: string | null;
  @ApiProperty({ nullable: true, type: Number }) httpStatus!: number | null;
}

export class DeliveryDetailDto extends DeliveryDto implements DeliveryDetail {
  @ApiProperty({ type: [DeliveryAttemptDto] }) attemptLog!: DeliveryAttemptDto[];
  @ApiProperty({ nullable: true, type: String }) text!: string | null;
  @ApiProperty({ nullable: true, type: String }) html!: string | null;
  @ApiProperty({ nullable: true, type: String }) body!: string | null;
  @ApiProperty({ type: [String] }) suppressedIds!: string[];
}

export class DeliveryPageDto implements DeliveryPage {
  @ApiProperty({ type: [DeliveryDto] }) items!: DeliveryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

/** The delivery log over REST, and sending a dead-lettered delivery again. */
@Injectable()
export class DeliveriesService {
  constructor(
    private readonly log: DeliveryLog,
    private readonly queue: DeliveryQueue,
    private readonly audit: AuditService,
  ) {}

  list(query: DeliveryQueryDto): Promise<DeliveryPage> {
    if (query.from && query.to && Date.parse(query.from) >= Date.parse(query.to))
      throw new BadRequestException('from must be before to');
    return this.log.list({ ...query, limit: query.limit ?? 50 });
  }

  async detail(id: string): Promise<DeliveryDetail> {
    const detail = ID.test(id) ? await this.log.detail(id) : null;
    if (!detail) throw new NotFoundException(`No delivery with id ${id}`);
    return detail;
  }

  async retry(principal: Principal, id: string): Promise<DeliveryDetail> {
    const before = await this.detail(id);
    if (!(await this.log.reopen(id, this.queue.maxAttempts))) {
      throw new BadRequestException(
        `Delivery ${id} is ${before.status}: only a dead delivery with a rendered message can be sent again`,
      );
    }
    await this.queue.enqueue(id, { round: `retry-${Date.now()}` });
    await this.audit.record(principal, {
      action: 'delivery.retry',
      entityType: 'delivery',
      entityId: id,
      before: { status: before.status, attempts: before.attempts, lastError: before.lastError },
    });
    return this.detail(id);
  }
}

@ApiTags('notifications')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiUnauthorizedResponse({ description: 'No valid API key or token' })
@ApiForbiddenResponse({ description: 'Reading needs viewer, retrying needs editor' })
@RequireRole('viewer')
@Controller('api/v1/deliveries')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get()
  @ApiOperation({
    summary: 'The delivery log, newest first',
    description:
      'Filter by alert, transition, rule, log line (logId: deliveries whose message showed that line), channel, status, kind and time; page with nextCursor.',
  })
  @ApiOkResponse({ type: DeliveryPageDto })
  @ApiBadRequestResponse({ description: 'An invalid filter (named in the message)' })
  list(@Query() query: DeliveryQueryDto): Promise<DeliveryPage> {
    return this.deliveries.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One delivery with every attempt and the message as sent' })
  @ApiOkResponse({ type: DeliveryDetailDto })
  @ApiNotFoundResponse()
  detail(@Param('id') id: string): Promise<DeliveryDetail> {
    return this.deliveries.detail(id);
  }

  @Post(':id/retry')
  @HttpCode(200)
  @RequireRole('editor')
  @ApiOperation({
    summary: 'Send a dead-lettered delivery again',
    description: 'It goes back to pending with NOTIFY_MAX_ATTEMPTS more attempts.',
  })
  @ApiOkResponse({ type: DeliveryDetailDto })
  @ApiBadRequestResponse({ description: 'The delivery is not dead' })
  @ApiNotFoundResponse()
  retry(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<DeliveryDetail> {
    return this.deliveries.retry(principal, id);
  }
}
