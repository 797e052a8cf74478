import {
  Body,
  Controller,
  Delete,
  ForbiddenException,
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
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuditService, CurrentPrincipal, hasRole, RequireRole, type Principal } from '@app/auth';
import { CreateSourceDto, SourceDto, UpdateSourceDto } from './sources.dto';
import { SourcesService } from './sources.service';

@ApiTags('sources')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid API key or token' })
@Controller('api/v1/sources')
export class SourcesController {
  constructor(
    private readonly sources: SourcesService,
    private readonly audit: AuditService,
  ) {}

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
  @ApiForbiddenResponse({ description: 'A file source needs the admin role' })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateSourceDto,
  ): Promise<SourceDto> {
    requireAdminForFiles(principal, body.type);
    const created = await this.sources.create(body);
    await this.audit.record(principal, {
      action: 'create',
      entityType: 'source',
      entityId: created.id,
      after: created,
    });
    return created;
  }

  @RequireRole('editor')
  @Patch(':id')
  @ApiOperation({ summary: 'Change a source (settings, enabled, name)' })
  @ApiOkResponse({ type: SourceDto })
  @ApiBadRequestResponse()
  @ApiNotFoundResponse()
  @ApiForbiddenResponse({ description: 'A file source needs the admin role' })
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateSourceDto,
  ): Promise<SourceDto> {
    const before = await this.sources.get(id);
    requireAdminForFiles(principal, before.type);
    const after = await this.sources.update(id, body);
    await this.audit.record(principal, {
      action: 'update',
      entityType: 'source',
      entityId: id,
      before,
      after,
    });
    return after;
  }

  @RequireRole('editor')
  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a source and its stored file positions' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  @ApiForbiddenResponse({ description: 'A file source needs the admin role' })
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<void> {
    const before = await this.sources.get(id);
    requireAdminForFiles(principal, before.type);
    await this.sources.remove(id);
    await this.audit.record(principal, {
      action: 'delete',
      entityType: 'source',
      entityId: id,
      before,
    });
  }
}

/**
 * A file source reads any file the api process can read: only admins may create or change one
 * (editors manage the other source types).
 */
function requireAdminForFiles(principal: Principal, type: string): void {
  if (type === 'file' && !hasRole(principal, 'admin')) {
    throw new ForbiddenException(
      'File sources read files on the server: this needs the admin role',
    );
  }
}
