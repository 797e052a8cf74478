import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  LOG_LEVELS,
  type LogLevelName,
  type LogRecord,
  type LogRecordDetail,
  type LogSearchResponse,
} from '@app/contracts';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

/** `a,b` or repeated `?x=a&x=b` → ['a', 'b']. */
const toList = ({ value }: { value: unknown }): string[] | undefined => {
  if (value === undefined || value === null || value === '') return undefined;
  const values = Array.isArray(value) ? value : [value];
  return values
    .flatMap((item) => String(item).split(','))
    .map((item) => item.trim())
    .filter(Boolean);
};

const LEVEL_ALIASES: Record<string, LogLevelName> = {
  emerg: 'emergency',
  crit: 'critical',
  fatal: 'critical',
  err: 'error',
  warn: 'warning',
  information: 'info',
  trace: 'debug',
};

export class LogSearchQueryDto {
  @ApiPropertyOptional({
    description: 'Start of the time range (inclusive), ISO 8601',
    example: '2026-11-21T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601(
    { strict: true },
    { message: 'from must be an ISO 8601 date-time, e.g. 2026-11-21T00:00:00Z' },
  )
  from?: string;

  @ApiPropertyOptional({ description: 'End of the time range (exclusive), ISO 8601' })
  @IsOptional()
  @IsISO8601(
    { strict: true },
    { message: 'to must be an ISO 8601 date-time, e.g. 2026-11-21T23:59:59Z' },
  )
  to?: string;

  @ApiPropertyOptional({
    description:
      'One or several levels (repeat the parameter or separate with commas); names or aliases (warn, err, fatal)',
    isArray: true,
    enum: LOG_LEVELS,
  })
  @IsOptional()
  @Transform(({ value }) =>
    toList({ value })?.map((level) => LEVEL_ALIASES[level.toLowerCase()] ?? level.toLowerCase()),
  )
  @IsArray()
  @IsIn(LOG_LEVELS, { each: true, message: `level must be one of ${LOG_LEVELS.join(', ')}` })
  level?: LogLevelName[];

  @ApiPropertyOptional({ description: 'Source name(s), exact', isArray: true, type: String })
  @IsOptional()
  @Transform(toList)
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  source?: string[];

  @ApiPropertyOptional({ description: 'Host name(s), exact', isArray: true, type: String })
  @IsOptional()
  @Transform(toList)
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  host?: string[];

  @ApiPropertyOptional({
    description:
      'Query language: words and "phrases" (full text), field:value on level, source, host, status, method, ' +
      'path, latency_ms, message and fields.<name>, comparisons status:>=500, ranges latency_ms:[100 TO 500], ' +
      'wildcards path:/api/*, AND / OR / NOT / -term and parentheses. A syntax error answers 400 with the position.',
    example: 'status:>=500 AND path:/api/* -host:canary-1',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  q?: string;

  @ApiPropertyOptional({
    enum: ['older', 'newer'],
    default: 'older',
    description: 'With cursor: older lines (nextCursor) or newer lines (prevCursor)',
  })
  @IsOptional()
  @IsIn(['older', 'newer'])
  direction?: 'older' | 'newer';

  @ApiPropertyOptional({ description: 'Page size', default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Transform(({ value }) => (value === undefined ? undefined : Number(value)))
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({
    description: 'nextCursor of the previous page, to get the older lines after it',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class LogRecordDto implements LogRecord {
  @ApiProperty({ example: '1042' }) id!: string;
  @ApiProperty({ example: '2026-11-21T10:00:00.123456Z' }) ts!: string;
  @ApiProperty({ example: '2026-11-21T10:00:00.200000Z' }) receivedAt!: string;
  @ApiProperty({ enum: LOG_LEVELS }) level!: LogLevelName;
  @ApiProperty({ example: 'payments-api' }) source!: string;
  @ApiProperty({ type: String, nullable: true }) host!: string | null;
  @ApiProperty() message!: string;
  @ApiProperty({ type: Number, nullable: true }) statusCode!: number | null;
  @ApiProperty({ type: String, nullable: true }) method!: string | null;
  @ApiProperty({ type: String, nullable: true }) path!: string | null;
  @ApiProperty({ type: Number, nullable: true }) latencyMs!: number | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) fields!: Record<string, unknown>;
  @ApiProperty({ type: String, nullable: true }) parseError!: string | null;
  @ApiPropertyOptional({
    description: 'Search results: [start, end) spans of message that matched',
    type: 'array',
    items: { type: 'array', items: { type: 'number' } },
  })
  highlights?: [number, number][];
}

export class LogRecordDetailDto extends LogRecordDto implements LogRecordDetail {
  @ApiProperty({ description: 'The line as received' }) raw!: string;
}

export class LogSearchResponseDto implements LogSearchResponse {
  @ApiProperty({ type: [LogRecordDto] }) items!: LogRecordDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Cursor of the next (older) page' })
  nextCursor!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Cursor of the newer lines before this page (use with direction=newer)',
  })
  prevCursor!: string | null;
}
