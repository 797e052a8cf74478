import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  ALERT_COMPARISONS,
  ALERT_RULE_TYPES,
  ALERT_SEVERITIES,
  type AlertRule,
  type AlertRuleHealth,
  type AlertRuleInput,
  type AlertRuleSettings,
  type AlertRuleType,
  type AlertSeverity,
} from '@app/contracts';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
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
  MinLength,
  ValidateNested,
} from 'class-validator';

// Settings per type: documented here for Swagger; validated by the rule type itself
// (rules/<type>.rule.ts), which also fills in the defaults.

export class ThresholdSettingsDto {
  @ApiPropertyOptional({
    enum: ['count', 'rate'],
    default: 'count',
    description: 'rate: lines per second',
  })
  metric?: string;
  @ApiPropertyOptional({ enum: ALERT_COMPARISONS, default: '>' })
  operator?: string;
  @ApiProperty({ example: 10 })
  threshold!: number;
  @ApiProperty({ example: 60, description: 'Sliding window, 1 to 86400 s' })
  windowSeconds!: number;
}

export class PatternSettingsDto {
  @ApiPropertyOptional({
    default: 60,
    description:
      'Lines less than this far apart fold into the open alert; it resolves after this long quiet',
  })
  coalesceSeconds?: number;
  @ApiPropertyOptional({
    default: 3600,
    description: 'The longest one alert folds lines; the next line opens a new alert',
  })
  maxHoldSeconds?: number;
  @ApiPropertyOptional({ default: 1000, description: 'The most lines one alert folds' })
  maxEntries?: number;
}

export class AnomalySettingsDto {
  @ApiPropertyOptional({ enum: ['rate', 'numeric', 'template'], default: 'rate' })
  mode?: string;
  @ApiPropertyOptional({
    default: 60,
    description: 'Window measured; the baseline learns one sample per window',
  })
  windowSeconds?: number;
  @ApiPropertyOptional({ default: 3, description: 'Standard deviations from the baseline' })
  zScore?: number;
  @ApiPropertyOptional({ enum: ['up', 'down', 'both'], default: 'up' })
  direction?: string;
  @ApiPropertyOptional({
    default: 10,
    description: 'Lines (values) a window needs to count as anomalous',
  })
  minCount?: number;
  @ApiPropertyOptional({
    default: 3600,
    description: 'Learning time per group before anything fires',
  })
  warmupSeconds?: number;
  @ApiPropertyOptional({
    default: 0.1,
    description: 'EWMA weight of the newest window (0 < alpha ≤ 1)',
  })
  alpha?: number;
  @ApiPropertyOptional({
    example: 'latency_ms',
    description: 'numeric: latency_ms, status or fields.<name>',
  })
  field?: string;
  @ApiPropertyOptional({
    enum: ['avg', 'p50', 'p90', 'p95', 'p99', 'max'],
    default: 'p95',
    description: 'numeric',
  })
  statistic?: string;
  @ApiPropertyOptional({
    default: 0.5,
    description: 'template: share of equal tokens to share a template',
  })
  similarity?: number;
  @ApiPropertyOptional({
    default: 60,
    description: 'template: new templates this close fold into one alert',
  })
  coalesceSeconds?: number;
  @ApiPropertyOptional({
    default: true,
    description: "template: also fire when a known template's count spikes",
  })
  spikes?: boolean;
}

export class AbsenceSettingsDto {
  @ApiPropertyOptional({
    default: 1,
    description: 'Fires when fewer lines than this are in the window',
  })
  minCount?: number;
  @ApiProperty({ example: 300 })
  windowSeconds!: number;
  @ApiPropertyOptional({ default: 86400, description: 'A group silent this long is forgotten' })
  forgetAfterSeconds?: number;
}

const SETTINGS_DOC =
  'Per type: threshold {metric, operator, threshold, windowSeconds}; pattern {coalesceSeconds, ' +
  'maxHoldSeconds, maxEntries}; anomaly {mode: rate | numeric | template, windowSeconds, zScore, ' +
  'direction, minCount, warmupSeconds, alpha, field, statistic, similarity, coalesceSeconds, ' +
  'spikes}; absence {minCount, windowSeconds, forgetAfterSeconds}. Unknown settings are refused.';

export class CreateAlertRuleDto implements AlertRuleInput {
  @ApiProperty({ example: 'Too many errors' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @ApiProperty({
    description: 'Lines the rule looks at, in the search query language; empty: every line',
    example: 'level:error',
  })
  @IsString()
  @MaxLength(4096)
  query!: string;

  @ApiProperty({ enum: ALERT_RULE_TYPES })
  @IsIn(ALERT_RULE_TYPES, { message: `type must be one of ${ALERT_RULE_TYPES.join(', ')}` })
  type!: AlertRuleType;

  @ApiProperty({ enum: ALERT_SEVERITIES })
  @IsIn(ALERT_SEVERITIES, { message: `severity must be one of ${ALERT_SEVERITIES.join(', ')}` })
  severity!: AlertSeverity;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    description:
      'One alert per distinct value: source, host, path, method, level, status, fields.<name> (up to 3)',
    example: ['host'],
    type: [String],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(3)
  @IsString({ each: true })
  groupBy?: string[];

  @ApiPropertyOptional({ default: 0, description: 'Pending this long before firing; 0: at once' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(86_400)
  forSeconds?: number;

  @ApiPropertyOptional({
    default: 0,
    description: 'Notify again this often while firing; 0: never',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(7 * 86_400)
  repeatIntervalSeconds?: number;

  @ApiPropertyOptional({ default: 10, description: 'Sample lines kept as evidence per alert' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(50)
  sampleSize?: number;

  @ApiPropertyOptional({
    type: [String],
    description: 'Notification channel ids; empty: routed by severity',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsUUID('all', { each: true, message: 'each channel id must be a UUID' })
  channelIds?: string[];

  @ApiPropertyOptional({ type: [String], description: 'E-mail recipients; empty: the defaults' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsEmail({}, { each: true, message: 'each recipient must be an e-mail address' })
  recipients?: string[];

  @ApiProperty({
    description: SETTINGS_DOC,
    oneOf: [
      { $ref: '#/components/schemas/ThresholdSettingsDto' },
      { $ref: '#/components/schemas/PatternSettingsDto' },
      { $ref: '#/components/schemas/AnomalySettingsDto' },
      { $ref: '#/components/schemas/AbsenceSettingsDto' },
    ],
    example: { metric: 'count', operator: '>', threshold: 10, windowSeconds: 60 },
  })
  @IsObject({ message: 'settings must be an object' })
  settings!: Record<string, unknown>;
}

export class UpdateAlertRuleDto extends PartialType(CreateAlertRuleDto) {}

export class AlertRuleHealthDto implements AlertRuleHealth {
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) lastEvaluatedAt!:
    string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) lastMatchedAt!: string | null;
  @ApiProperty() firesLast7Days!: number;
  @ApiProperty() stateChangesLastHour!: number;
  @ApiProperty() flapping!: boolean;
  @ApiProperty() openAlerts!: number;
}

export class AlertRuleDto implements AlertRule {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty() query!: string;
  @ApiProperty({ enum: ALERT_RULE_TYPES }) type!: AlertRuleType;
  @ApiProperty({ enum: ALERT_SEVERITIES }) severity!: AlertSeverity;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ type: [String] }) groupBy!: string[];
  @ApiProperty() forSeconds!: number;
  @ApiProperty() repeatIntervalSeconds!: number;
  @ApiProperty() sampleSize!: number;
  @ApiProperty({ type: [String] }) channelIds!: string[];
  @ApiProperty({ type: [String] }) recipients!: string[];
  @ApiProperty({
    type: 'object',
    description: 'Settings with every default filled in',
    additionalProperties: true,
  })
  settings!: AlertRuleSettings;
  @ApiProperty() revision!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ type: AlertRuleHealthDto }) health!: AlertRuleHealthDto;
}

export class BacktestDto {
  @ApiProperty({ type: CreateAlertRuleDto, description: 'The rule to try (it need not be saved)' })
  @ValidateNested()
  @Type(() => CreateAlertRuleDto)
  @IsObject({ message: 'rule must be an object' })
  rule!: CreateAlertRuleDto;

  @ApiProperty({ example: '2026-11-20T00:00:00Z' })
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date-time' })
  from!: string;

  @ApiProperty({ example: '2026-11-21T00:00:00Z' })
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date-time' })
  to!: string;
}
