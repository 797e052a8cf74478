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
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiSecurity,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { AllowSourceRestrictedKeys, RequireScope } from '@app/auth';
import type { IngestResponse } from '@app/contracts';
import { decodeJson, decodeNdjson, decodePlainText, type DecodedLines } from './ingest-body';
import { IngestQueryDto, IngestResponseDto } from './ingest.dto';
import { rejectedLines } from './ingest.metrics';
import { IngestService } from './ingest.service';

@ApiTags('ingest')
@ApiBearerAuth()
@ApiSecurity('api-key')
@RequireScope('ingest')
@AllowSourceRestrictedKeys('source-param')
@Controller('api/v1/ingest')
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send log lines',
    description:
      'Accepts one JSON object or an array of objects/strings (application/json), one JSON object per line ' +
      '(application/x-ndjson), or one log per line (text/plain); gzip or deflate with Content-Encoding. ' +
      'Answers 202 once the lines are durably enqueued. Malformed NDJSON lines are reported by number ' +
      'while the good lines are accepted.',
  })
  @ApiConsumes('application/json', 'application/x-ndjson', 'text/plain')
  @ApiBody({
    schema: {
      oneOf: [
        {
          type: 'object',
          additionalProperties: true,
          example: { level: 'error', message: 'payment failed', status: 502 },
        },
        { type: 'array', items: { oneOf: [{ type: 'object' }, { type: 'string' }] } },
        {
          type: 'string',
          example: '2026-11-21T10:00:00Z ERROR payment failed\n2026-11-21T10:00:01Z INFO retry ok',
        },
      ],
    },
  })
  @ApiAcceptedResponse({ type: IngestResponseDto })
  @ApiBadRequestResponse({
    description: 'No valid line in the body, or a body that cannot be decoded',
  })
  @ApiUnauthorizedResponse({ description: 'No valid API key or token' })
  @ApiPayloadTooLargeResponse({
    description: 'Body (or decompressed body) over INGEST_MAX_BODY_BYTES',
  })
  @ApiUnsupportedMediaTypeResponse({ description: 'Content type or encoding not accepted' })
  @ApiTooManyRequestsResponse({
    description: 'Queue above its high-water mark: retry after Retry-After seconds',
  })
  async ingestLines(
    @Query() query: IngestQueryDto,
    @Headers('content-type') contentType: string | undefined,
    @Body() body: unknown,
    @Ip() ip: string,
  ): Promise<IngestResponse> {
    this.ingest.ensureCapacity();
    const source = query.source ?? 'http';
    const decoded = decodeBody(contentType, body);
    if (decoded.rejected.length > 0) rejectedLines.inc({ source }, decoded.rejected.length);
    if (decoded.lines.length === 0 && decoded.rejected.length > 0) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: `No valid line in the body; first problem at line ${decoded.rejected[0].line}: ${decoded.rejected[0].error}`,
        rejected: decoded.rejected.slice(0, 1000),
      });
    }
    const accepted = await this.ingest.accept(decoded.lines, { source, host: ip });
    return { accepted, rejected: decoded.rejected.slice(0, 1000) };
  }
}

function decodeBody(contentType: string | undefined, body: unknown): DecodedLines {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (body === undefined || body === '') return { lines: [], rejected: [] };
  switch (mediaType) {
    case 'application/json':
      return decodeJson(body);
    case 'application/x-ndjson':
      return decodeNdjson(String(body));
    case 'text/plain':
      return decodePlainText(String(body));
    default:
      throw new UnsupportedMediaTypeException(
        `Content-Type "${mediaType || '(none)'}" is not accepted; use application/json, application/x-ndjson or text/plain`,
      );
  }
}
