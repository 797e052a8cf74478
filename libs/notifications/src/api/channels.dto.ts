import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  getSchemaPath,
  OmitType,
  PartialType,
} from '@nestjs/swagger';
import {
  ALERT_SEVERITIES,
  CHANNEL_TYPES,
  DELIVERY_STATUSES,
  type AlertSeverity,
  type ChannelRateLimit,
  type ChannelTestResult,
  type ChannelType,
  type CreateChannelRequest,
  type DeliveryStatus,
  type NotificationChannel,
} from '@app/contracts';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { EmailSettingsDto } from '../channels/email.channel';
import { WebhookSettingsDto } from '../channels/webhook.channel';

export const trim = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

export class RateLimitDto implements ChannelRateLimit {
  @ApiProperty({ minimum: 1, maximum: 10_000, example: 10 })
  @IsInt()
  @Min(1)
  @Max(10_000)
  maxMessages!: number;

  @ApiProperty({ minimum: 1, maximum: 86_400, example: 60 })
  @IsInt()
  @Min(1)
  @Max(86_400)
  windowSeconds!: number;
}

const SETTINGS_SCHEMA = {
  description:
    'Settings of the channel type (email or webhook). Secret fields (password, secret, headers) are write-only. On PATCH the object is merged into the stored settings; a field sent as null is removed.',
  oneOf: [{ $ref: getSchemaPath(EmailSettingsDto) }, { $ref: getSchemaPath(WebhookSettingsDto) }],
};

@ApiExtraModels(EmailSettingsDto, WebhookSettingsDto)
export class CreateChannelDto implements CreateChannelRequest {
  @ApiProperty({ example: 'On-call email' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: CHANNEL_TYPES })
  @IsIn(CHANNEL_TYPES, { message: `type must be one of ${CHANNEL_TYPES.join(', ')}` })
  type!: ChannelType;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    enum: ALERT_SEVERITIES,
    isArray: true,
    description: 'Severities routed here when a rule names no channel (default: all)',
    example: ['critical', 'high'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(ALERT_SEVERITIES.length)
  @IsIn(ALERT_SEVERITIES, {
    each: true,
    message: `severities must be among ${ALERT_SEVERITIES.join(', ')}`,
  })
  severities?: AlertSeverity[];

  @ApiPropertyOptional({
    nullable: true,
    description:
      'Template id: a built-in (builtin-email, builtin-json, builtin-slack, builtin-teams) or one of /api/v1/templates; null: the default of the type',
    example: 'builtin-slack',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  templateId?: string | null;

  @ApiPropertyOptional({
    type: RateLimitDto,
    nullable: true,
    description:
      'Flood control: beyond maxMessages in windowSeconds, messages are folded into one summary sent when the window ends. Default 10 per 60 s; null: unlimited',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimitDto)
  rateLimit?: RateLimitDto | null;

  @ApiProperty(SETTINGS_SCHEMA)
  @IsObject({ message: 'settings must be an object' })
  settings!: Record<string, unknown>;
}

export class UpdateChannelDto extends PartialType(OmitType(CreateChannelDto, ['type'] as const)) {}

export class ChannelDto implements NotificationChannel {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: CHANNEL_TYPES }) type!: ChannelType;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ enum: ALERT_SEVERITIES, isArray: true }) severities!: AlertSeverity[];
  @ApiProperty({ nullable: true, type: String }) templateId!: string | null;
  @ApiProperty({ type: RateLimitDto, nullable: true }) rateLimit!: RateLimitDto | null;
  @ApiProperty({
    description: 'Settings without secret values (webhooks show headerNames instead of headers)',
    type: 'object',
    additionalProperties: true,
  })
  settings!: Record<string, unknown>;
  @ApiProperty({
    description: 'Which secrets are stored; their values are never returned',
    example: { secret: true, headers: false },
    type: 'object',
    additionalProperties: { type: 'boolean' },
  })
  secrets!: Record<string, boolean>;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class ChannelTestResultDto implements ChannelTestResult {
  @ApiProperty({ description: 'The delivery recorded for the test' }) deliveryId!: string;
  @ApiProperty() ok!: boolean;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status!: DeliveryStatus;
  @ApiProperty({ nullable: true, type: String, example: '250 OK: queued as 3F2A' })
  response!: string | null;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty() durationMs!: number;
}
