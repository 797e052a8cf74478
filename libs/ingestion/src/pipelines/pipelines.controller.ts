import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Put,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuditService, CurrentPrincipal, RequireRole, type Principal } from '@app/auth';
import { FORMAT_NAMES } from '@app/parsing';
import {
  CreatePipelineDto,
  GrokPatternDto,
  ParserTestDto,
  ParserTestResponseDto,
  PipelineDto,
  UpdatePipelineDto,
} from './pipelines.dto';
import { PipelinesService } from './pipelines.service';

@ApiTags('parsing')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid API key or token' })
@Controller('api/v1')
export class PipelinesController {
  constructor(
    private readonly pipelines: PipelinesService,
    private readonly audit: AuditService,
  ) {}

  @Get('pipelines')
  @ApiOperation({ summary: 'List parsing pipelines' })
  @ApiOkResponse({ type: [PipelineDto] })
  list(): Promise<PipelineDto[]> {
    return this.pipelines.list();
  }

  @Get('pipelines/:id')
  @ApiOperation({ summary: 'One pipeline' })
  @ApiOkResponse({ type: PipelineDto })
  @ApiNotFoundResponse()
  get(@Param('id', ParseUUIDPipe) id: string): Promise<PipelineDto> {
    return this.pipelines.get(id);
  }

  @RequireRole('editor')
  @Post('pipelines')
  @ApiOperation({
    summary: 'Create the pipeline of a source; running workers pick it up within a second',
  })
  @ApiCreatedResponse({ type: PipelineDto })
  @ApiBadRequestResponse({
    description: 'A step or pattern is invalid or refused (the message names it)',
  })
  @ApiConflictResponse({ description: 'The name or source has a pipeline already' })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreatePipelineDto,
  ): Promise<PipelineDto> {
    const after = await this.pipelines.create(body);
    await this.audit.record(principal, {
      action: 'create',
      entityType: 'pipeline',
      entityId: after.id,
      after,
    });
    return after;
  }

  @RequireRole('editor')
  @Patch('pipelines/:id')
  @ApiOperation({ summary: 'Change a pipeline' })
  @ApiOkResponse({ type: PipelineDto })
  @ApiBadRequestResponse()
  @ApiNotFoundResponse()
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdatePipelineDto,
  ): Promise<PipelineDto> {
    const before = await this.pipelines.get(id);
    const after = await this.pipelines.update(id, body);
    await this.audit.record(principal, {
      action: 'update',
      entityType: 'pipeline',
      entityId: id,
      before,
      after,
    });
    return after;
  }

  @RequireRole('editor')
  @Delete('pipelines/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a pipeline (its source is auto-detected again)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<void> {
    const before = await this.pipelines.get(id);
    await this.pipelines.remove(id);
    await this.audit.record(principal, {
      action: 'delete',
      entityType: 'pipeline',
      entityId: id,
      before,
    });
  }

  @Get('patterns')
  @ApiOperation({ summary: 'User-defined grok patterns' })
  @ApiOkResponse({ type: [GrokPatternDto] })
  listPatterns(): Promise<GrokPatternDto[]> {
    return this.pipelines.listPatterns();
  }

  @RequireRole('editor')
  @Put('patterns')
  @ApiOperation({ summary: 'Create or replace a named grok pattern (usable as %{NAME})' })
  @ApiOkResponse({ type: GrokPatternDto })
  @ApiBadRequestResponse({
    description: 'The pattern is refused (the message names the construct)',
  })
  async savePattern(
    @CurrentPrincipal() principal: Principal,
    @Body() body: GrokPatternDto,
  ): Promise<GrokPatternDto> {
    const before = (await this.pipelines.listPatterns()).find(
      (pattern) => pattern.name === body.name,
    );
    const after = await this.pipelines.savePattern(body);
    await this.audit.record(principal, {
      action: before ? 'update' : 'create',
      entityType: 'grok-pattern',
      entityId: body.name,
      before: before ?? null,
      after,
    });
    return after;
  }

  @RequireRole('editor')
  @Delete('patterns/:name')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a named grok pattern' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  async removePattern(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
  ): Promise<void> {
    const before = (await this.pipelines.listPatterns()).find((pattern) => pattern.name === name);
    await this.pipelines.removePattern(name);
    await this.audit.record(principal, {
      action: 'delete',
      entityType: 'grok-pattern',
      entityId: name,
      before,
    });
  }

  @Get('parsers/formats')
  @ApiOperation({ summary: 'Names of the built-in formats' })
  @ApiOkResponse({ schema: { type: 'array', items: { type: 'string' } } })
  formats(): readonly string[] {
    return FORMAT_NAMES;
  }

  @RequireRole('viewer')
  @Post('parsers/test')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Playground: run up to 1000 sample lines through a format, a pattern or a whole pipeline',
    description:
      'Per line: the fields as they would be stored, what matched, errors, and the time taken.',
  })
  @ApiOkResponse({ type: ParserTestResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid format, pattern or step (the message names it)' })
  async test(@Body() body: ParserTestDto): Promise<ParserTestResponseDto> {
    return { results: await this.pipelines.test(body) };
  }
}
