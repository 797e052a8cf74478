import {
  BadRequestException,
  Body,
  Controller,
  Headers,
  HttpCode,
  Ip,
  Post,
  Query,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiNoContentResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiQuery,
  ApiSecurity,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { AllowSourceRestrictedKeys, RequireScope } from '@app/auth';
import { IngestService } from '../ingest.service';
import { COMPAT_ROUTE_CONFIG, type CompatRouteConfig } from './compat-http';
import { sourceParam } from './compat-source';
import { LOKI_PUSH_SCHEMA } from './compat.dto';
import { decodeLokiPush, LokiPayloadError } from './loki-push';

const LOKI_ROUTE: Record<string, CompatRouteConfig> = {
  [COMPAT_ROUTE_CONFIG]: { lokiPush: true },
};

/** Loki's push API (JSON), so Loki clients that can send JSON ship to Lookout unchanged. */
@ApiTags('compat')
@ApiBearerAuth()
@ApiSecurity('api-key')
@RequireScope('ingest')
@AllowSourceRestrictedKeys('source-param')
@Controller('loki/api/v1')
export class LokiPushController {
  constructor(private readonly ingest: IngestService) {}

  @Post('push')
  @HttpCode(204)
  @RouteConfig(LOKI_ROUTE)
  @ApiOperation({
    summary: 'Loki-compatible push (JSON)',
    description:
      'The Loki push API in its JSON form (Content-Type application/json, gzip allowed). Every value ' +
      'becomes one line: its nanosecond time is the event time, labels and structured metadata are ' +
      'added to its fields. The source is ?source=, else the label job, else service_name, else "loki"; ' +
      'the host is the label host, hostname or instance, else the client address. Answers 204 once ' +
      'the lines are durably enqueued. All or nothing: one bad value refuses the push with 400.',
  })
  @ApiConsumes('application/json')
  @ApiBody({ schema: LOKI_PUSH_SCHEMA })
  @ApiQuery({
    name: 'source',
    required: false,
    description: 'Source name for every stream, instead of the job label',
  })
  @ApiNoContentResponse({ description: 'Lines accepted' })
  @ApiBadRequestResponse({
    description: 'Not a Loki push body; the message names the bad stream and value',
  })
  @ApiUnauthorizedResponse({ description: 'No valid API key or token' })
  @ApiPayloadTooLargeResponse({
    description: 'Body (or decompressed body) over INGEST_MAX_BODY_BYTES',
  })
  @ApiUnsupportedMediaTypeResponse({
    description: 'Protobuf+snappy push (Promtail, Alloy) or another non-JSON body',
  })
  @ApiTooManyRequestsResponse({
    description: 'Queue above its high-water mark: retry after Retry-After seconds',
  })
  async push(
    @Query('source') source: unknown,
    @Headers('content-type') contentType: string | undefined,
    @Body() body: unknown,
    @Ip() ip: string,
  ): Promise<void> {
    this.ingest.ensureCapacity();
    const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
    if (mediaType !== 'application/json') {
      throw new UnsupportedMediaTypeException(
        `Content-Type "${mediaType || '(none)'}" is not accepted: send the Loki push as application/json`,
      );
    }
    let lines;
    try {
      lines = decodeLokiPush(body, { source: sourceParam(source), ip, receivedAt: Date.now() });
    } catch (error) {
      if (error instanceof LokiPayloadError) {
        throw new BadRequestException(`Invalid Loki push: ${error.message}; nothing was stored`);
      }
      throw error;
    }
    if (lines.length > 0) await this.ingest.acceptLines(lines);
  }
}
