import {
  applyDecorators,
  BadRequestException,
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Ip,
  NotFoundException,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiExcludeEndpoint,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiQuery,
  ApiSecurity,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AllowSourceRestrictedKeys, RequireScope } from '@app/auth';
import type { RawLine } from '@app/queue';
import { rejectedLines } from '../ingest.metrics';
import { IngestService } from '../ingest.service';
import { COMPAT_ROUTE_CONFIG, type CompatRouteConfig } from './compat-http';
import { sourceFromName, sourceParam } from './compat-source';
import {
  ES_BULK_BODY_EXAMPLE,
  ES_CLUSTER_HEALTH,
  ES_INFO,
  ES_LICENSE,
  EsBulkResponseDto,
  EsInfoDto,
} from './compat.dto';
import { BulkSyntaxError, parseBulk, type BulkResponse } from './es-bulk';

const DEFAULT_INDEX = 'es-bulk';
const BULK_ROUTE: Record<string, CompatRouteConfig> = {
  [COMPAT_ROUTE_CONFIG]: { ndjsonBody: true },
};
const COMPAT_ROUTE: Record<string, CompatRouteConfig> = { [COMPAT_ROUTE_CONFIG]: {} };

/**
 * Enough of the Elasticsearch HTTP API for log shippers (Filebeat, Logstash, Fluent Bit, Vector) to
 * send to Lookout as if it were Elasticsearch 8: the startup probes and `_bulk`.
 */
@ApiTags('compat')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiUnauthorizedResponse({ description: 'No valid API key or token' })
@RequireScope('ingest')
@Controller('api/v1/compat/es')
export class EsCompatController {
  constructor(private readonly ingest: IngestService) {}

  @AllowSourceRestrictedKeys('no-log-data')
  @Get()
  @RouteConfig(COMPAT_ROUTE)
  @Header('X-Elastic-Product', 'Elasticsearch')
  @ApiOperation({
    summary: 'Elasticsearch-compatible cluster info (shipper startup probe; HEAD works too)',
    description: `Answers like Elasticsearch ${ES_INFO.version.number}, so Filebeat, Logstash and Vector accept Lookout as their output.`,
  })
  @ApiOkResponse({ type: EsInfoDto })
  info(): EsInfoDto {
    return ES_INFO;
  }

  @AllowSourceRestrictedKeys('no-log-data')
  @Get('_license')
  @RouteConfig(COMPAT_ROUTE)
  @Header('X-Elastic-Product', 'Elasticsearch')
  @ApiOperation({ summary: 'Elasticsearch-compatible license (a basic, active license)' })
  @ApiOkResponse({ schema: { type: 'object', example: ES_LICENSE } })
  license(): typeof ES_LICENSE {
    return ES_LICENSE;
  }

  @AllowSourceRestrictedKeys('no-log-data')
  @Get('_cluster/health')
  @RouteConfig(COMPAT_ROUTE)
  @Header('X-Elastic-Product', 'Elasticsearch')
  @ApiOperation({ summary: 'Elasticsearch-compatible cluster health (Vector healthcheck)' })
  @ApiOkResponse({ schema: { type: 'object', example: ES_CLUSTER_HEALTH } })
  health(): typeof ES_CLUSTER_HEALTH {
    return ES_CLUSTER_HEALTH;
  }

  /** `GET …/es/` (with the slash, as Logstash and Vector ask): Nest strips trailing slashes. */
  @AllowSourceRestrictedKeys('no-log-data')
  @Get('*')
  @RouteConfig(COMPAT_ROUTE)
  @Header('X-Elastic-Product', 'Elasticsearch')
  @ApiExcludeEndpoint()
  infoWithSlash(@Param('*') rest: string | undefined): EsInfoDto {
    if (rest) {
      throw new NotFoundException(
        `Lookout's Elasticsearch compatibility has no GET /${rest}; only /, /_license, /_cluster/health and POST /_bulk`,
      );
    }
    return ES_INFO;
  }

  @AllowSourceRestrictedKeys('source-param')
  @Post('_bulk')
  @HttpCode(200)
  @RouteConfig(BULK_ROUTE)
  @Header('X-Elastic-Product', 'Elasticsearch')
  @ApiBulk()
  bulk(
    @Query('source') source: unknown,
    @Body() body: unknown,
    @Ip() ip: string,
  ): Promise<BulkResponse> {
    return this.accept(undefined, source, body, ip);
  }

  @AllowSourceRestrictedKeys('source-param')
  @Post(':index/_bulk')
  @HttpCode(200)
  @RouteConfig(BULK_ROUTE)
  @Header('X-Elastic-Product', 'Elasticsearch')
  @ApiBulk()
  @ApiParam({ name: 'index', description: 'Default index of actions that name none' })
  bulkToIndex(
    @Param('index') index: string,
    @Query('source') source: unknown,
    @Body() body: unknown,
    @Ip() ip: string,
  ): Promise<BulkResponse> {
    return this.accept(index, source, body, ip);
  }

  private async accept(
    pathIndex: string | undefined,
    sourceQuery: unknown,
    body: unknown,
    ip: string,
  ): Promise<BulkResponse> {
    const started = Date.now();
    this.ingest.ensureCapacity();
    const source = sourceParam(sourceQuery);
    if (typeof body !== 'string') {
      throw new BadRequestException(
        'The _bulk body must be NDJSON: action and document lines (Content-Type application/x-ndjson or application/json)',
      );
    }
    let parsed;
    try {
      parsed = parseBulk(body, pathIndex || DEFAULT_INDEX);
    } catch (error) {
      if (error instanceof BulkSyntaxError) throw new BadRequestException(error.message);
      throw error;
    }
    const receivedAt = Date.now();
    const lines: RawLine[] = parsed.documents.map((document) => ({
      raw: document.raw,
      receivedAt,
      source: source ?? sourceFromName(document.index) ?? DEFAULT_INDEX,
      host: ip,
    }));
    if (parsed.rejected > 0) {
      rejectedLines.inc(
        { source: source ?? sourceFromName(pathIndex) ?? DEFAULT_INDEX },
        parsed.rejected,
      );
    }
    if (lines.length > 0) await this.ingest.acceptLines(lines);
    return { took: Date.now() - started, errors: parsed.rejected > 0, items: parsed.items };
  }
}

function ApiBulk(): MethodDecorator {
  return applyDecorators(
    ApiOperation({
      summary: 'Elasticsearch-compatible bulk ingest',
      description:
        'NDJSON pairs of an action line ({"index":{…}} or {"create":{…}}) and a document line, as ' +
        'Filebeat, Logstash, Fluent Bit and Vector send them (application/x-ndjson or application/json, ' +
        'gzip or deflate allowed). Each document becomes one log line. The source is ?source=, else the ' +
        'action\'s _index, else the index in the path, else "es-bulk". delete and update actions, and ' +
        'documents that are not JSON objects, are refused per item with status 400; the others are stored. ' +
        'Answers 200 with per-item statuses once the lines are durably enqueued, like Elasticsearch.',
    }),
    ApiConsumes('application/x-ndjson', 'application/json'),
    ApiBody({ schema: { type: 'string', example: ES_BULK_BODY_EXAMPLE } }),
    ApiQuery({
      name: 'source',
      required: false,
      description: 'Source name for every document (letters, digits and . _ - : / @)',
    }),
    ApiOkResponse({ type: EsBulkResponseDto }),
    ApiBadRequestResponse({
      description: 'Empty body, or a malformed action line (nothing stored)',
    }),
    ApiPayloadTooLargeResponse({
      description: 'Body (or decompressed body) over INGEST_MAX_BODY_BYTES',
    }),
    ApiTooManyRequestsResponse({
      description: 'Queue above its high-water mark: retry after Retry-After seconds',
    }),
  );
}
