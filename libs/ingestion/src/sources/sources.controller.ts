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
import { CreateSourceDto, SourceDto, UpdateSourceDto } from './sources.dto';
import { SourcesService } from './sources.service';

@ApiTags('sources')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid API key or token' })
@Controller('api/v1/sources')
export class SourcesController {
  constructor(private readonly sources: SourcesService) {}

  @Get()
  @ApiOperation({ summary: 'List sources, with tailed files and their stored positions' })
  @ApiOkResponse({ type: [SourceDto] })
  list(): Promise<SourceDto[]> {
    return this.sources.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'One source' })
  @ApiOkResponse({ type: SourceDto })
  @ApiNotFoundResponse()
  get(@Param('id', ParseUUIDPipe) id: string): Promise<SourceDto> {
    return this.sources.get(id);
  }

  @RequireRole('editor')
  @Post()
  @ApiOperation({ summary: 'Create a source; a file source starts tailing at once' })
  @ApiCreatedResponse({ type: SourceDto })
  @ApiBadRequestResponse({ description: 'Invalid settings (the message names each one)' })
  @ApiConflictResponse({ description: 'The name is taken' })
  create(@Body() body: CreateSourceDto): Promise<SourceDto> {
    return this.sources.create(body);
  }

  @RequireRole('editor')
  @Patch(':id')
  @ApiOperation({ summary: 'Change a source (settings, enabled, name)' })
  @ApiOkResponse({ type: SourceDto })
  @ApiBadRequestResponse()
  @ApiNotFoundResponse()
  update(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateSourceDto,
  ): Promise<SourceDto> {
    return this.sources.update(id, body);
  }

  @RequireRole('editor')
  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a source and its stored file positions' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.sources.remove(id);
  }
}
