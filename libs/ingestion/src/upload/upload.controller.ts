import type { UploadProgress } from '@app/contracts';
import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { CurrentPrincipal, RequireScope, type Principal } from '@app/auth';
import type { FastifyRequest } from 'fastify';
import { UploadDto, UploadListQueryDto } from './upload.dto';
import { UploadService } from './upload.service';

@ApiTags('uploads')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiUnauthorizedResponse({ description: 'No valid API key or token' })
@Controller('api/v1/uploads')
export class UploadController {
  constructor(private readonly uploads: UploadService) {}

  @RequireScope('ingest')
  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Upload a log file',
    description:
      'multipart/form-data with one file in the field "file" (.log, .txt, or .gz which is gunzipped) and ' +
      'an optional field "source" (default "upload"). Answers 202 once the file is saved; it is then read ' +
      'in the background, one log line per non-empty line: follow it with GET /api/v1/uploads/{id}.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: {
        source: { type: 'string', example: 'nginx', description: 'Source name of the lines' },
        file: { type: 'string', format: 'binary', description: '.log, .txt or .gz' },
      },
    },
  })
  @ApiAcceptedResponse({
    type: UploadDto,
    description: 'Saved; processing has started (or waits its turn)',
  })
  @ApiBadRequestResponse({
    description: 'No file, several files, another extension, or a bad source',
  })
  @ApiPayloadTooLargeResponse({ description: 'File over UPLOAD_MAX_BYTES' })
  @ApiUnsupportedMediaTypeResponse({ description: 'Not multipart/form-data' })
  upload(
    @Req() request: FastifyRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<UploadProgress> {
    return this.uploads.receive(request, principal.kind === 'user' ? principal.id : null);
  }

  @RequireScope('ingest', 'read')
  @Get()
  @ApiOperation({ summary: 'Recent uploads, newest first' })
  @ApiOkResponse({ type: [UploadDto] })
  list(@Query() query: UploadListQueryDto): Promise<UploadProgress[]> {
    return this.uploads.list(query.limit);
  }

  @RequireScope('ingest', 'read')
  @Get(':id')
  @ApiOperation({ summary: 'One upload and its progress' })
  @ApiOkResponse({ type: UploadDto })
  @ApiNotFoundResponse({ description: 'No upload with this id' })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<UploadProgress> {
    return this.uploads.get(id);
  }
}
