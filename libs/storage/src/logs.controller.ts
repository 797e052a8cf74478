import {
  BadRequestException,
  Controller,
  Get,
  NotFoundException,
  Param,
  Query,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AllowSourceRestrictedKeys } from '@app/auth';
import { LOG_LEVELS, type LogRecordDetail, type LogSearchResponse } from '@app/contracts';
import { decodeCursor } from './log-cursor';
import { parseUserQuery } from './analytics/analytics-request';
import { DEFAULT_SPAN_MS } from './analytics/time-range';
import { LogSearchService } from './log-search.service';
import { LogRecordDetailDto, LogSearchQueryDto, LogSearchResponseDto } from './logs.dto';

@ApiTags('logs')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiUnauthorizedResponse({ description: 'No valid API key or token' })
@Controller('api/v1/logs')
export class LogsController {
  constructor(private readonly search: LogSearchService) {}

  @AllowSourceRestrictedKeys('source-param')
  @Get()
  @ApiOperation({ summary: 'Search stored lines, newest first, with keyset paging' })
  @ApiOkResponse({ type: LogSearchResponseDto })
  @ApiBadRequestResponse({ description: 'A parameter is malformed (the message names it)' })
  find(@Query() query: LogSearchQueryDto): Promise<LogSearchResponse> {
    let from = query.from ? new Date(query.from) : undefined;
    const to = query.to ? new Date(query.to) : undefined;
    if (from && to && from >= to) throw new BadRequestException('from must be earlier than to');
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && !cursor) {
      throw new BadRequestException(
        'cursor is not valid: pass the nextCursor of a previous page unchanged',
      );
    }
    // Without any range, the last 24 hours: a search never scans all of history by accident.
    if (!from && !to && !cursor) from = new Date(Date.now() - DEFAULT_SPAN_MS);
    return this.search.search({
      from,
      to,
      levels: query.level?.map((name) => LOG_LEVELS.indexOf(name)),
      sources: query.source,
      hosts: query.host,
      query: parseUserQuery(query.q),
      limit: query.limit ?? 100,
      cursor,
      direction: query.direction,
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One line with all its fields and the raw text' })
  @ApiOkResponse({ type: LogRecordDetailDto })
  @ApiBadRequestResponse({ description: 'The id is not a number' })
  @ApiNotFoundResponse()
  async findOne(@Param('id') id: string): Promise<LogRecordDetail> {
    if (!/^\d{1,18}$/.test(id)) throw new BadRequestException('id must be a log id (digits only)');
    const record = await this.search.findById(id);
    if (!record) throw new NotFoundException(`No log line with id ${id}`);
    return record;
  }
}
