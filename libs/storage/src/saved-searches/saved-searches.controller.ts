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
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CurrentPrincipal, RequireRole, type Principal } from '@app/auth';
import type { SavedSearch } from '@app/contracts';
import { QueryErrorDto } from '../analytics/analytics.dto';
import { CreateSavedSearchDto, SavedSearchDto, UpdateSavedSearchDto } from './saved-searches.dto';
import { SavedSearchesService } from './saved-searches.service';

@ApiTags('saved-searches')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiUnauthorizedResponse({ description: 'No valid API key or token' })
@Controller('api/v1/saved-searches')
export class SavedSearchesController {
  constructor(private readonly searches: SavedSearchesService) {}

  @Get()
  @ApiOperation({
    summary: 'Your saved searches and the shared ones (an API key sees the shared ones)',
  })
  @ApiOkResponse({ type: [SavedSearchDto] })
  list(@CurrentPrincipal() principal: Principal): Promise<SavedSearch[]> {
    return this.searches.list(principal);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One saved search (yours or a shared one)' })
  @ApiOkResponse({ type: SavedSearchDto })
  @ApiNotFoundResponse({ description: 'No such search, or it is private to someone else' })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<SavedSearch> {
    return this.searches.get(principal, id);
  }

  @RequireRole('viewer')
  @Post()
  @ApiOperation({ summary: 'Save a search (needs a user token)' })
  @ApiCreatedResponse({ type: SavedSearchDto })
  @ApiBadRequestResponse({
    description: 'A property is invalid; an invalid query comes with position and expected',
    type: QueryErrorDto,
  })
  @ApiForbiddenResponse({ description: 'Called with an API key: saved searches belong to users' })
  @ApiConflictResponse({ description: 'You have a saved search with this name already' })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateSavedSearchDto,
  ): Promise<SavedSearch> {
    return this.searches.create(principal, body);
  }

  @RequireRole('viewer')
  @Patch(':id')
  @ApiOperation({ summary: 'Change your saved search (filters, when given, are replaced whole)' })
  @ApiOkResponse({ type: SavedSearchDto })
  @ApiBadRequestResponse({ description: 'A property is invalid', type: QueryErrorDto })
  @ApiForbiddenResponse({ description: 'Not the owner, or called with an API key' })
  @ApiNotFoundResponse({ description: 'No such search, or it is private to someone else' })
  @ApiConflictResponse({ description: 'You have a saved search with this name already' })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateSavedSearchDto,
  ): Promise<SavedSearch> {
    return this.searches.update(principal, id, body);
  }

  @RequireRole('viewer')
  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete your saved search' })
  @ApiNoContentResponse()
  @ApiForbiddenResponse({ description: 'Not the owner, or called with an API key' })
  @ApiNotFoundResponse({ description: 'No such search, or it is private to someone else' })
  remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<void> {
    return this.searches.remove(principal, id);
  }
}
