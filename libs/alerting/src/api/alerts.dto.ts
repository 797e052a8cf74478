import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ALERT_SEVERITIES,
  type AcknowledgeRequest,
  type Alert,
  type AlertDetail,
  type AlertListResponse,
  type AlertSampleLine,
  type AlertSeverity,
  type AlertState,
  type AlertTransition,
  type BacktestEvent,
  type BacktestResponse,
  type Silence,
  type SilenceInput,
} from '@app/contracts';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

const STATES: AlertState[] = ['pending', 'firing', 'resolved'];

export class AlertListQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Alerts of this rule' })
  @IsOptional()
  @IsUUID('all', { message: 'ruleId must be a UUID' })
  ruleId?: string;

  @ApiPropertyOptional({ enum: [...STATES, 'open'], description: 'open: pending or firing' })
  @IsOptional()
  @IsIn([...STATES, 'open'], { message: 'state must be pending, firing, resolved or open' })
  state?: AlertState | 'open';

  @ApiPropertyOptional({ enum: ALERT_SEVERITIES })
  @IsOptional()
  @IsIn(ALERT_SEVERITIES, { message: `severity must be one of ${ALERT_SEVERITIES.join(', ')}` })
  severity?: AlertSeverity;

  @ApiPropertyOptional({
    description:
      'Group values the alert must have, as a group key: `host=web-1` or `host=web-1,path=/api`',
    example: 'host=web-1',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  group?: string;

  @ApiPropertyOptional({ description: 'Alerts active at or after this time, ISO 8601' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date-time' })
  from?: string;

  @ApiPropertyOptional({ description: 'Alerts started before this time, ISO 8601' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date-time' })
  to?: string;

  @ApiPropertyOptional({ default: 100, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class AlertSampleLineDto implements AlertSampleLine {
  @ApiProperty() id!: string;
  @ApiProperty({ format: 'date-time' }) ts!: string;
  @ApiProperty() level!: AlertSampleLine['level'];
  @ApiProperty() source!: string;
  @ApiProperty({ type: String, nullable: true }) host!: string | null;
  @ApiProperty() message!: string;
  @ApiProperty({
    description: '[start, end) spans of message that matched the query',
    type: 'array',
    items: { type: 'array', items: { type: 'integer' } },
  })
  highlights!: [number, number][];
}

export class AlertDto implements Alert {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) ruleId!: string | null;
  @ApiProperty() ruleName!: string;
  @ApiProperty({ enum: ['threshold', 'pattern', 'anomaly', 'absence'] })
  ruleType!: Alert['ruleType'];
  @ApiProperty({ enum: ALERT_SEVERITIES }) severity!: AlertSeverity;
  @ApiProperty() query!: string;
  @ApiProperty({ enum: STATES }) state!: AlertState;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) group!: Record<
    string,
    string
  >;
  @ApiProperty({ example: 'host=web-1' }) groupKey!: string;
  @ApiProperty() value!: number;
  @ApiProperty({ type: Number, nullable: true }) threshold!: number | null;
  @ApiProperty({ type: String, nullable: true }) comparison!: string | null;
  @ApiProperty({ format: 'date-time' }) windowStart!: string;
  @ApiProperty({ format: 'date-time' }) windowEnd!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) firedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) resolvedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) lastNotifiedAt!:
    string | null;
  @ApiProperty() notifications!: number;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) acknowledgedAt!:
    string | null;
  @ApiProperty({ type: String, nullable: true }) acknowledgedBy!: string | null;
  @ApiProperty({ type: String, nullable: true }) acknowledgeComment!: string | null;
}

export class AlertListResponseDto implements AlertListResponse {
  @ApiProperty({ type: [AlertDto] }) items!: AlertDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class AlertTransitionDto implements AlertTransition {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) alertId!: string;
  @ApiProperty({ enum: STATES, nullable: true }) from!: AlertState | null;
  @ApiProperty({ enum: STATES }) to!: AlertState;
  @ApiProperty() repeat!: boolean;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty() value!: number;
  @ApiProperty({ type: Number, nullable: true }) threshold!: number | null;
  @ApiProperty({ type: String, nullable: true }) comparison!: string | null;
  @ApiProperty({ format: 'date-time' }) windowStart!: string;
  @ApiProperty({ format: 'date-time' }) windowEnd!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ type: [AlertSampleLineDto] }) samples!: AlertSampleLineDto[];
  @ApiProperty() notify!: boolean;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) enqueuedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) silencedBy!: string | null;
}

export class AlertDetailDto extends AlertDto implements AlertDetail {
  @ApiProperty({ type: [AlertTransitionDto] }) transitions!: AlertTransitionDto[];
  @ApiProperty({ type: [AlertSampleLineDto] }) samples!: AlertSampleLineDto[];
}

export class AcknowledgeDto implements AcknowledgeRequest {
  @ApiPropertyOptional({ example: 'looking into it' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  comment?: string;
}

export class CreateSilenceDto implements SilenceInput {
  @ApiPropertyOptional({ format: 'uuid', nullable: true, description: 'Absent: every rule' })
  @IsOptional()
  @IsUUID('all', { message: 'ruleId must be a UUID' })
  ruleId?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Group field → value (`*` matches any run of characters); absent: every group',
    example: { host: 'web-*' },
  })
  @IsOptional()
  @IsObject({ message: 'matchers must be an object of field → value' })
  matchers?: Record<string, string>;

  @ApiPropertyOptional({ description: 'Default now' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'startsAt must be an ISO 8601 date-time' })
  startsAt?: string;

  @ApiProperty({ example: '2026-11-21T12:00:00Z' })
  @IsISO8601({ strict: true }, { message: 'endsAt must be an ISO 8601 date-time' })
  endsAt!: string;

  @ApiPropertyOptional({ example: 'deploying web-3' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  comment?: string;
}

export class SilenceDto implements Silence {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) ruleId!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) matchers!: Record<
    string,
    string
  >;
  @ApiProperty({ format: 'date-time' }) startsAt!: string;
  @ApiProperty({ format: 'date-time' }) endsAt!: string;
  @ApiProperty({ type: String, nullable: true }) comment!: string | null;
  @ApiProperty() createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty() active!: boolean;
}

export class BacktestEventDto implements BacktestEvent {
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) alertGroup!: Record<
    string,
    string
  >;
  @ApiProperty() groupKey!: string;
  @ApiProperty({ enum: STATES, nullable: true }) from!: AlertState | null;
  @ApiProperty({ enum: STATES }) to!: AlertState;
  @ApiProperty() repeat!: boolean;
  @ApiProperty() notify!: boolean;
  @ApiProperty() value!: number;
  @ApiProperty({ type: Number, nullable: true }) threshold!: number | null;
  @ApiProperty({ type: String, nullable: true }) comparison!: string | null;
  @ApiProperty({ format: 'date-time' }) windowStart!: string;
  @ApiProperty({ format: 'date-time' }) windowEnd!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ type: [AlertSampleLineDto] }) samples!: AlertSampleLineDto[];
}

export class BacktestResponseDto implements BacktestResponse {
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty() stepSeconds!: number;
  @ApiProperty() matchedLines!: number;
  @ApiProperty() groups!: number;
  @ApiProperty({ type: [BacktestEventDto] }) timeline!: BacktestEventDto[];
  @ApiProperty() truncated!: boolean;
  @ApiProperty() fires!: number;
  @ApiProperty() resolves!: number;
  @ApiProperty({ description: 'Notifications the rule would have sent' }) notifications!: number;
  @ApiProperty() tookMs!: number;
}
