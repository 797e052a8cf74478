import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  RETENTION_ACTIONS,
  RETENTION_REASONS,
  type ArchiveListItem,
  type DayUsage,
  type RetentionAction,
  type RetentionActionKind,
  type RetentionLogPage,
  type RetentionPolicy,
  type RetentionReason,
  type RetentionRun,
  type RetentionRunProgress,
  type RetentionRunStatus,
  type RetentionRunTrigger,
  type SourceRetention,
  type StorageEstimate,
  type UpdateRetentionPolicyRequest,
} from '@app/contracts';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

const MAX_DAYS = 36_500;
/** A smaller budget is surely a typo (the empty partitions kept for the coming days take more). */
const MIN_BUDGET_BYTES = 1_048_576;

export class SourceRetentionDto implements SourceRetention {
  @ApiProperty({ example: 'nginx', description: 'Source name, as given at ingest' })
  @IsString()
  @IsNotEmpty({ message: 'source must not be empty' })
  @MaxLength(200)
  source!: string;

  @ApiProperty({ example: 7, minimum: 1, maximum: MAX_DAYS })
  @IsInt()
  @Min(1)
  @Max(MAX_DAYS)
  maxAgeDays!: number;
}

export class UpdateRetentionPolicyDto implements UpdateRetentionPolicyRequest {
  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    example: 30,
    minimum: 1,
    maximum: MAX_DAYS,
    description:
      'Days of history kept: whole UTC days older than this are dropped (a line is kept at least this long, at most one day more). null: kept forever.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_DAYS)
  maxAgeDays?: number | null;

  @ApiPropertyOptional({
    type: [SourceRetentionDto],
    description:
      'Shorter ages for some sources (replaces the whole list when given). Each must be under maxAgeDays.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => SourceRetentionDto)
  sources?: SourceRetentionDto[];

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    example: 53_687_091_200,
    minimum: MIN_BUDGET_BYTES,
    description:
      'Upper bound of the log data on disk in bytes (tables and indexes); the oldest data goes first. null: no bound.',
  })
  @IsOptional()
  @IsInt()
  @Min(MIN_BUDGET_BYTES)
  @Max(Number.MAX_SAFE_INTEGER)
  diskBudgetBytes?: number | null;

  @ApiPropertyOptional({
    example: false,
    description: 'Export data to ARCHIVE_DIR (gzip NDJSON + manifest) before it is removed',
  })
  @IsOptional()
  @IsBoolean()
  archive?: boolean;

  @ApiPropertyOptional({
    example: 60,
    minimum: 1,
    maximum: 10_080,
    description: 'Minutes between scheduled runs (the disk budget is checked every minute)',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_080)
  intervalMinutes?: number;
}

export class RetentionPolicyDto implements RetentionPolicy {
  @ApiProperty({ type: Number, nullable: true, example: 30 }) maxAgeDays!: number | null;
  @ApiProperty({ type: [SourceRetentionDto] }) sources!: SourceRetentionDto[];
  @ApiProperty({ type: Number, nullable: true, example: 53_687_091_200 })
  diskBudgetBytes!: number | null;
  @ApiProperty() archive!: boolean;
  @ApiProperty({ example: '/var/lib/lookout/archive' }) archiveDir!: string;
  @ApiProperty({ example: 60 }) intervalMinutes!: number;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class RunRetentionQueryDto {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: 300,
    default: 10,
    description:
      'Seconds to wait for the run to finish: 200 with the finished run, or 202 with it still running (then poll GET /runs/:id)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(300)
  wait?: number;
}

export class RetentionLogQueryDto {
  @ApiPropertyOptional({ description: 'Entries older than this id (nextBefore of a page)' })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'before must be an entry id' })
  before?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ enum: RETENTION_REASONS })
  @IsOptional()
  @IsIn(RETENTION_REASONS, { message: `reason must be one of ${RETENTION_REASONS.join(', ')}` })
  reason?: RetentionReason;

  @ApiPropertyOptional({ example: 'nginx' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MaxLength(200)
  source?: string;
}

export class RetentionActionDto implements RetentionAction {
  @ApiProperty({ example: '42' }) id!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) runId!: string | null;
  @ApiProperty({ enum: RETENTION_ACTIONS }) action!: RetentionActionKind;
  @ApiProperty({ enum: RETENTION_REASONS }) reason!: RetentionReason;
  @ApiProperty({ type: String, nullable: true, example: 'logs_p20261101' })
  partition!: string | null;
  @ApiProperty({ type: String, nullable: true }) source!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) from!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) to!: string | null;
  @ApiProperty({ example: 1250000 }) rows!: number;
  @ApiProperty({
    example: 734003200,
    description: 'Bytes given back to the disk (0 when only made reusable inside the table)',
  })
  bytesFreed!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Manifest of the archive written' })
  archivePath!: string | null;
  @ApiProperty({ example: 120 }) durationMs!: number;
}

export class RetentionLogPageDto implements RetentionLogPage {
  @ApiProperty({ type: [RetentionActionDto] }) items!: RetentionActionDto[];
  @ApiProperty({ type: String, nullable: true }) nextBefore!: string | null;
}

export class RetentionRunProgressDto implements RetentionRunProgress {
  @ApiProperty({ enum: ['starting', 'max-age', 'source-max-age', 'disk-budget', 'finished'] })
  phase!: RetentionRunProgress['phase'];
  @ApiProperty({ example: 'deleting from logs_p20261101 the lines of "nginx"' }) step!: string;
  @ApiProperty() actions!: number;
  @ApiProperty() rowsDeleted!: number;
  @ApiProperty() bytesFreed!: number;
  @ApiPropertyOptional({ description: 'Rows deleted so far in the current step' })
  stepRows?: number;
  @ApiProperty({ type: [String], description: 'What was left for a later run, and why' })
  skipped!: string[];
}

export class RetentionRunDto implements RetentionRun {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['schedule', 'manual', 'budget'] }) trigger!: RetentionRunTrigger;
  @ApiProperty({ type: String, nullable: true }) requestedBy!: string | null;
  @ApiProperty({ enum: ['running', 'done', 'failed', 'interrupted'] })
  status!: RetentionRunStatus;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) finishedAt!: string | null;
  @ApiProperty({ type: RetentionRunProgressDto }) progress!: RetentionRunProgressDto;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({ type: Number, nullable: true }) totalBytesAfter!: number | null;
  @ApiPropertyOptional({ type: [RetentionActionDto] }) actions?: RetentionActionDto[];
}

export class RunInProgressDto {
  @ApiProperty({ example: 409 }) statusCode!: number;
  @ApiProperty({ example: 'Conflict' }) error!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) runId!: string | null;
}

export class DayUsageDto implements DayUsage {
  @ApiProperty({ example: '2026-11-21' }) day!: string;
  @ApiProperty({ example: 'logs_p20261121' }) partition!: string;
  @ApiProperty() bytes!: number;
  @ApiProperty({ type: Number, nullable: true }) rowsEstimate!: number | null;
}

export class StorageEstimateDto implements StorageEstimate {
  @ApiProperty() totalBytes!: number;
  @ApiProperty({ type: Number, nullable: true }) diskBudgetBytes!: number | null;
  @ApiProperty({ type: Number, nullable: true }) maxAgeDays!: number | null;
  @ApiProperty({ type: [DayUsageDto], description: 'Newest first' }) days!: DayUsageDto[];
  @ApiProperty() defaultPartitionBytes!: number;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) oldestLine!: string | null;
  @ApiProperty({ type: Number, nullable: true }) historyDays!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Mean of the last complete days' })
  bytesPerDay!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'At the current ingest rate' })
  ingestBytesPerDay!: number | null;
  @ApiProperty({ description: 'Over the last 5 minutes' }) ingestLinesPerSecond!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Days of history the budget holds at the current ingest rate',
  })
  budgetDaysOfHistory!: number | null;
  @ApiProperty({ type: Number, nullable: true }) daysUntilBudgetFull!: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Days of history kept: the smaller of maxAgeDays and budgetDaysOfHistory',
  })
  expectedHistoryDays!: number | null;
}

export class ArchiveListItemDto implements ArchiveListItem {
  @ApiProperty() id!: string;
  @ApiProperty() manifestPath!: string;
  @ApiProperty() rows!: number;
  @ApiProperty() compressedBytes!: number;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) minTs!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) maxTs!: string | null;
  @ApiProperty({ type: String, nullable: true }) partition!: string | null;
  @ApiProperty({ type: String, nullable: true }) source!: string | null;
  @ApiProperty({ enum: RETENTION_REASONS }) reason!: RetentionReason;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) importedAt!: string | null;
}
