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
import { RequireRole } from '@app/auth';
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
  constructor(private readonly pipelines: PipelinesService) {}

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
  create(@Body() body: CreatePipelineDto): Promise<PipelineDto> {
    return this.pipelines.create(body);
  }

  @RequireRole('editor')
  @Patch('pipelines/:id')
  @ApiOperation({ summary: 'Change a pipeline' })
  @ApiOkResponse({ type: PipelineDto })
  @ApiBadRequestResponse()
  @ApiNotFoundResponse()
  update(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdatePipelineDto,
  ): Promise<PipelineDto> {
    return this.pipelines.update(id, body);
  }

  @RequireRole('editor')
  @Delete('pipelines/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a pipeline (its source is auto-detected again)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.pipelines.remove(id);
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
  savePattern(@Body() body: GrokPatternDto): Promise<GrokPatternDto> {
    return this.pipelines.savePattern(body);
  }

  @RequireRole('editor')
  @Delete('patterns/:name')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a named grok pattern' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  removePattern(@Param('name') name: string): Promise<void> {
    return this.pipelines.removePattern(name);
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
