import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import {
  AGGREGATE_COLUMNS,
  AGGREGATE_METRICS,
  EXPORT_FORMATS,
  type AggregateGroup,
  type AggregateMetric,
  type AggregateResponse,
  type AnalyticsSummary,
  type EndpointCount,
  type ExportFormat,
  type HistogramBucket,
  type HistogramResponse,
  type HistogramSeries,
  type SlowEndpoint,
  type SlowestEndpointsResponse,
  type TrafficBucket,
  type TrafficResponse,
} from '@app/contracts';
import { Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  type ValidationArguments,
} from 'class-validator';
import { LogSearchQueryDto } from '../logs.dto';
import { MAX_QUERY_LENGTH } from '../query';
import { isTimeExpression } from './time-range';

/** A bound of a time range: ISO 8601 or `now`, `now-15m`, `now-24h`, `now-7d`. */
export function IsTimeExpression(): PropertyDecorator {
  return ValidateBy({
    name: 'isTimeExpression',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && isTimeExpression(value),
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property ?? 'time'} must be an ISO 8601 date-time (2026-11-21T10:00:00Z) or a relative time (now, now-15m, now-24h, now-7d)`,
    },
  });
}

const TIME_HELP =
  'ISO 8601 (`2026-11-21T10:00:00Z`) or relative to now (`now`, `now-15m`, `now-24h`, `now-7d`).';

/** The filters every analytics endpoint takes, as GET /api/v1/logs does (q is the query language). */
export class LogFilterQueryDto extends PickType(LogSearchQueryDto, [
  'level',
  'source',
  'host',
] as const) {
  @ApiPropertyOptional({
    description: `Start of the time range (inclusive). ${TIME_HELP} Without from and to: the last 24 hours; with only to: the 24 hours before it.`,
    example: 'now-24h',
  })
  @IsOptional()
  @IsTimeExpression()
  from?: string;

  @ApiPropertyOptional({
    description: `End of the time range (exclusive); default now. ${TIME_HELP}`,
    example: 'now',
  })
  @IsOptional()
  @IsTimeExpression()
  to?: string;

  @ApiPropertyOptional({
    description:
      'Query-language expression the lines must match (an invalid one is answered 400 with the position of the error)',
    example: 'level:error AND path:/api/*',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_QUERY_LENGTH)
  q?: string;
}

const toNumber = ({ value }: { value: unknown }): unknown =>
  value === undefined || value === '' ? undefined : Number(value);

const INTERVAL_PATTERN = /^(auto|\d{1,6}\s*[smhdwSMHDW])$/;
const INTERVAL_MESSAGE =
  'interval must be auto or a number with a unit s, m, h, d or w (e.g. 30s, 5m, 1h, 1d)';

export class HistogramQueryDto extends LogFilterQueryDto {
  @ApiPropertyOptional({
    description:
      'Bucket width: `auto` (60–120 buckets over the range) or a number and a unit s, m, h, d, w (`1m`, `5m`, `1h`, `1d`). Buckets are aligned to UTC midnight.',
    default: 'auto',
    example: '5m',
  })
  @IsOptional()
  @IsString()
  @Matches(INTERVAL_PATTERN, { message: INTERVAL_MESSAGE })
  interval?: string;

  @ApiPropertyOptional({
    description: 'Split the counts into one series per level',
    enum: ['level'],
  })
  @IsOptional()
  @IsIn(['level'], { message: 'split must be level' })
  split?: 'level';
}

/** `path`, `status`, …, or `fields.<name>` (a parsed field). */
const GROUP_BY_PATTERN = new RegExp(
  `^(${[...AGGREGATE_COLUMNS, 'status_code'].join('|')}|fields\\.\\P{Cc}{1,200})$`,
  'u',
);
const NUMERIC_FIELD_PATTERN = /^(latency_ms|status|status_code|fields\.\P{Cc}{1,200})$/u;

export class AggregateQueryDto extends LogFilterQueryDto {
  @ApiProperty({
    description: `What to group by: ${AGGREGATE_COLUMNS.join(', ')}, or fields.<name> for a parsed field`,
    example: 'path',
  })
  @IsString()
  @Matches(GROUP_BY_PATTERN, {
    message: `groupBy must be one of ${AGGREGATE_COLUMNS.join(', ')} or fields.<name>`,
  })
  groupBy!: string;

  @ApiPropertyOptional({
    description:
      'count: lines; rate: lines per minute over the range; avg, p50, p95, p99: of `field` over the lines that carry a number in it',
    enum: AGGREGATE_METRICS,
    default: 'count',
  })
  @IsOptional()
  @IsIn(AGGREGATE_METRICS, { message: `metric must be one of ${AGGREGATE_METRICS.join(', ')}` })
  metric?: AggregateMetric;

  @ApiPropertyOptional({
    description:
      'Numeric column or field of avg and percentiles: latency_ms, status, or fields.<name> (numbers, or strings holding one)',
    default: 'latency_ms',
  })
  @IsOptional()
  @IsString()
  @Matches(NUMERIC_FIELD_PATTERN, {
    message: 'field must be latency_ms, status or fields.<name>',
  })
  field?: string;

  @ApiPropertyOptional({ description: 'Number of groups', default: 10, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class TrafficQueryDto extends LogFilterQueryDto {
  @ApiPropertyOptional({
    description: 'Bucket width: auto or e.g. 1m, 5m, 1h, 1d',
    default: 'auto',
  })
  @IsOptional()
  @IsString()
  @Matches(INTERVAL_PATTERN, { message: INTERVAL_MESSAGE })
  interval?: string;
}

export class SlowestEndpointsQueryDto extends LogFilterQueryDto {
  @ApiPropertyOptional({ description: 'Number of paths', default: 10, minimum: 1, maximum: 100 })
  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(100)
  limit?: number;
}

export class ExportQueryDto extends LogFilterQueryDto {
  @ApiPropertyOptional({
    description:
      'ndjson: one JSON line per log line (the shape of GET /api/v1/logs items); csv: the columns id, ts, level, source, host, status_code, method, path, latency_ms, message, fields (JSON)',
    enum: EXPORT_FORMATS,
    default: 'ndjson',
  })
  @IsOptional()
  @IsIn(EXPORT_FORMATS, { message: `format must be one of ${EXPORT_FORMATS.join(', ')}` })
  format?: ExportFormat;
}

// ---- responses ----

export class HistogramBucketDto implements HistogramBucket {
  @ApiProperty({ format: 'date-time', description: 'Start of the bucket' }) ts!: string;
  @ApiProperty({ example: 42 }) count!: number;
}

export class HistogramSeriesDto implements HistogramSeries {
  @ApiProperty({ example: 'error' }) name!: string;
  @ApiProperty({ type: [Number], description: 'One count per bucket, in bucket order' })
  counts!: number[];
}

export class HistogramResponseDto implements HistogramResponse {
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({ example: '5m', description: 'The bucket width used' }) interval!: string;
  @ApiProperty({ example: 300 }) intervalSeconds!: number;
  @ApiProperty({ type: [HistogramBucketDto] }) buckets!: HistogramBucketDto[];
  @ApiProperty({
    type: [HistogramSeriesDto],
    description: 'With split=level: one series per level present, most severe first',
  })
  series!: HistogramSeriesDto[];
  @ApiProperty() total!: number;
}

export class AggregateGroupDto implements AggregateGroup {
  @ApiProperty({ example: '/api/orders' }) key!: string;
  @ApiProperty({ description: 'Lines in the group (with a numeric value, for avg/percentiles)' })
  count!: number;
  @ApiProperty({ description: 'The metric' }) value!: number;
}

export class AggregateResponseDto implements AggregateResponse {
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({ example: 'path' }) groupBy!: string;
  @ApiProperty({ enum: AGGREGATE_METRICS }) metric!: AggregateMetric;
  @ApiProperty({ type: String, nullable: true, example: 'latency_ms' }) field!: string | null;
  @ApiProperty({ type: [AggregateGroupDto] }) groups!: AggregateGroupDto[];
}

export class EndpointCountDto implements EndpointCount {
  @ApiProperty({ example: '/api/orders' }) path!: string;
  @ApiProperty() count!: number;
}

export class AnalyticsSummaryDto implements AnalyticsSummary {
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({ description: 'Matching lines' }) total!: number;
  @ApiProperty({ description: 'Lines at level error or more severe' }) errors!: number;
  @ApiProperty({ example: 2.5, description: 'errors / total × 100' }) errorPercentage!: number;
  @ApiProperty({ type: [EndpointCountDto], description: 'Top 5 paths by lines' })
  topEndpoints!: EndpointCountDto[];
}

export class TrafficBucketDto implements TrafficBucket {
  @ApiProperty({ format: 'date-time' }) ts!: string;
  @ApiProperty({ description: 'Lines with a request path' }) requests!: number;
  @ApiProperty({ description: 'Of those, lines at level error or more severe' }) errors!: number;
}

export class TrafficResponseDto implements TrafficResponse {
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({ example: '15m' }) interval!: string;
  @ApiProperty({ example: 900 }) intervalSeconds!: number;
  @ApiProperty({ type: [TrafficBucketDto] }) buckets!: TrafficBucketDto[];
}

export class SlowEndpointDto implements SlowEndpoint {
  @ApiProperty({ example: '/api/orders' }) path!: string;
  @ApiProperty({ description: 'Lines of the path with a latency' }) count!: number;
  @ApiProperty() avgMs!: number;
  @ApiProperty() p50Ms!: number;
  @ApiProperty() p95Ms!: number;
  @ApiProperty() p99Ms!: number;
}

export class SlowestEndpointsResponseDto implements SlowestEndpointsResponse {
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({ type: [SlowEndpointDto], description: 'Highest p95 first' })
  endpoints!: SlowEndpointDto[];
}

/** Body of a 400 caused by an invalid q. */
export class QueryErrorDto {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'Bad Request' }) error!: string;
  @ApiProperty({ example: 'Invalid query: expected a value after ":"' }) message!: string;
  @ApiPropertyOptional({ description: 'Where in the query the error was found' })
  position?: number;
  @ApiPropertyOptional({ description: 'What the parser expected there' })
  expected?: unknown;
}
