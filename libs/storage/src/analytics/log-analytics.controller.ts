import { Controller, Get, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiSecurity,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type {
  AggregateResponse,
  AnalyticsSummary,
  HistogramResponse,
  SlowestEndpointsResponse,
  TrafficResponse,
} from '@app/contracts';
import type { FastifyReply } from 'fastify';
import {
  AggregateQueryDto,
  AggregateResponseDto,
  AnalyticsSummaryDto,
  ExportQueryDto,
  HistogramQueryDto,
  HistogramResponseDto,
  LogFilterQueryDto,
  QueryErrorDto,
  SlowestEndpointsQueryDto,
  SlowestEndpointsResponseDto,
  TrafficQueryDto,
  TrafficResponseDto,
} from './analytics.dto';
import { toBucketInterval, toLogFilter } from './analytics-request';
import { LogAnalyticsService } from './log-analytics.service';
import { LogExportService } from './log-export.service';
import { MAX_AGGREGATION_SPAN_MS, MAX_EXPORT_SPAN_MS } from './time-range';

const BAD_REQUEST = {
  description:
    'A parameter is malformed, q is invalid (with position and expected), the range is too wide, or the query ran past the statement timeout (reason: statement_timeout; narrow the range or the query)',
  type: QueryErrorDto,
};

@ApiTags('logs')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiUnauthorizedResponse({ description: 'No valid API key or token' })
@ApiBadRequestResponse(BAD_REQUEST)
@Controller('api/v1/logs')
export class LogAnalyticsController {
  constructor(
    private readonly analytics: LogAnalyticsService,
    private readonly exporter: LogExportService,
  ) {}

  @Get('histogram')
  @ApiOperation({
    summary: 'Matching lines per time bucket, optionally one series per level',
    description:
      'Time range: from/to (default the last 24 hours, at most 31 days). Every bucket of the range is returned, empty ones with 0.',
  })
  @ApiOkResponse({ type: HistogramResponseDto })
  histogram(@Query() query: HistogramQueryDto): Promise<HistogramResponse> {
    const filter = toLogFilter(query, MAX_AGGREGATION_SPAN_MS);
    return this.analytics.histogram(
      filter,
      toBucketInterval(query.interval, filter),
      query.split === 'level',
    );
  }

  @Get('aggregate')
  @ApiOperation({
    summary: 'Top groups of matching lines by count, rate or a statistic of a numeric value',
    description:
      'Group by a column (path, host, source, level, method, status) or a parsed field (fields.<name>); order by count, rate (lines per minute), avg, p50, p95 or p99 of latency_ms, status or fields.<name>. Lines without a value for groupBy (or, for avg and percentiles, for field) are left out.',
  })
  @ApiOkResponse({ type: AggregateResponseDto })
  aggregate(@Query() query: AggregateQueryDto): Promise<AggregateResponse> {
    return this.analytics.aggregate(toLogFilter(query, MAX_AGGREGATION_SPAN_MS), {
      groupBy: query.groupBy,
      metric: query.metric ?? 'count',
      field: query.field ?? 'latency_ms',
      limit: query.limit ?? 10,
    });
  }

  @Get('export')
  @ApiOperation({
    summary: 'Download every matching line, oldest first, as NDJSON or CSV (streamed, any size)',
    description:
      'Time range: from/to (default the last 24 hours, at most 366 days). CSV cells that a spreadsheet would run as a formula get a leading apostrophe. A failure after the download started cuts it off (an incomplete transfer).',
  })
  @ApiProduces('application/x-ndjson', 'text/csv')
  @ApiOkResponse({
    description: 'The file, as an attachment',
    content: {
      'application/x-ndjson': { schema: { type: 'string', format: 'binary' } },
      'text/csv': { schema: { type: 'string', format: 'binary' } },
    },
  })
  @ApiTooManyRequestsResponse({ description: 'Too many exports running; retry later' })
  async export(@Query() query: ExportQueryDto, @Res() reply: FastifyReply): Promise<void> {
    const format = query.format ?? 'ndjson';
    const exported = await this.exporter.open(toLogFilter(query, MAX_EXPORT_SPAN_MS), format);
    await reply
      .header('content-type', exported.contentType)
      .header('content-disposition', `attachment; filename="${exported.filename}"`)
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .send(exported.stream);
  }
}

@ApiTags('analytics')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiUnauthorizedResponse({ description: 'No valid API key or token' })
@ApiBadRequestResponse(BAD_REQUEST)
@Controller('api/v1/analytics')
export class AnalyticsController {
  constructor(private readonly analytics: LogAnalyticsService) {}

  @Get('summary')
  @ApiOperation({
    summary: 'Total lines, error percentage (level error or worse) and the 5 busiest paths',
  })
  @ApiOkResponse({ type: AnalyticsSummaryDto })
  summary(@Query() query: LogFilterQueryDto): Promise<AnalyticsSummary> {
    return this.analytics.summary(toLogFilter(query, MAX_AGGREGATION_SPAN_MS));
  }

  @Get('traffic')
  @ApiOperation({
    summary: 'Requests (lines with a path) per time bucket, with how many are errors',
  })
  @ApiOkResponse({ type: TrafficResponseDto })
  traffic(@Query() query: TrafficQueryDto): Promise<TrafficResponse> {
    const filter = toLogFilter(query, MAX_AGGREGATION_SPAN_MS);
    return this.analytics.traffic(filter, toBucketInterval(query.interval, filter));
  }

  @Get('slowest-endpoints')
  @ApiOperation({ summary: 'Paths by p95 of latency_ms, with count, average, p50 and p99' })
  @ApiOkResponse({ type: SlowestEndpointsResponseDto })
  slowestEndpoints(@Query() query: SlowestEndpointsQueryDto): Promise<SlowestEndpointsResponse> {
    return this.analytics.slowestEndpoints(
      toLogFilter(query, MAX_AGGREGATION_SPAN_MS),
      query.limit ?? 10,
    );
  }
}
