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
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { UserSummary } from './auth-types';
import { CreateUserDto, ResetPasswordDto, UpdateUserDto, UserDto } from './auth.dto';
import { CurrentPrincipal, RequireRole } from './decorators';
import type { Principal } from './principal';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiUnauthorizedResponse()
@ApiForbiddenResponse({ description: 'Needs the admin role' })
@RequireRole('admin')
@Controller('api/v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'List users' })
  @ApiOkResponse({ type: [UserDto] })
  list(): Promise<UserSummary[]> {
    return this.users.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'One user' })
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse()
  get(@Param('id', ParseUUIDPipe) id: string): Promise<UserSummary> {
    return this.users.get(id);
  }

  @Post()
  @ApiOperation({ summary: 'Create a user with a role (admin, editor or viewer)' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiBadRequestResponse({ description: 'Invalid username, password (8+ characters) or role' })
  @ApiConflictResponse({ description: 'The username is taken' })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateUserDto,
  ): Promise<UserSummary> {
    return this.users.create(principal, body);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Rename a user or change their role (applies to their next request)',
  })
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'The username is taken, or this is the last admin' })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateUserDto,
  ): Promise<UserSummary> {
    return this.users.update(principal, id, body);
  }

  @Put(':id/password')
  @HttpCode(204)
  @ApiOperation({
    summary: "Set a user's password (admin reset)",
    description: 'Every session of the user ends and a sign-in lockout is lifted.',
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  async resetPassword(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ResetPasswordDto,
  ): Promise<void> {
    await this.users.resetPassword(principal, id, body.password);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a user (not yourself, not the last admin)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'This is the last admin' })
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<void> {
    await this.users.remove(principal, id);
  }
}
