import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  Headers,
  HttpCode,
  Ip,
  Param,
  ParseUUIDPipe,
  Post,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { CurrentUser } from '@app/contracts';
import { ApiKeysService } from './api-keys.service';
import type { ApiKeyDetails, CreatedApiKeyDetails, TokenPair } from './auth-types';
import {
  ApiKeyDto,
  ChangePasswordDto,
  CreateApiKeyDto,
  CreatedApiKeyDto,
  CurrentUserDto,
  LoginDto,
  RefreshDto,
  TokenPairDto,
} from './auth.dto';
import { AuthService } from './auth.service';
import { CurrentPrincipal, Public, RequireRole } from './decorators';
import type { Principal } from './principal';
import { UsersService } from './users.service';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Sign in: an access token and a single-use refresh token',
    description:
      'Five wrong passwords for one username (or thirty from one address) within 15 minutes lock ' +
      'sign-in for that username (address) for 15 minutes: 429 with Retry-After.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiUnauthorizedResponse({ description: 'Wrong username or password' })
  @ApiTooManyRequestsResponse({ description: 'Locked after repeated failures: see Retry-After' })
  login(
    @Body() body: LoginDto,
    @Ip() ip: string,
    @Headers('user-agent') userAgent: string | undefined,
  ): Promise<TokenPair> {
    return this.auth.login(body.username, body.password, { ip, userAgent });
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange a refresh token for a new access token and refresh token',
    description:
      'Each refresh token works once. Presenting a used one again revokes its whole session ' +
      '(every token descended from that sign-in), as it means a copy of the token exists.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiUnauthorizedResponse({ description: 'Unknown, expired, used or revoked refresh token' })
  refresh(@Body() body: RefreshDto): Promise<TokenPair> {
    return this.auth.refresh(body.refreshToken);
  }

  @Public()
  @Post('logout')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Sign out: revoke the session of this refresh token',
    description:
      'Its refresh tokens and access tokens stop working at once. Answers 204 for an unknown token too.',
  })
  @ApiNoContentResponse()
  async logout(@Body() body: RefreshDto): Promise<void> {
    await this.auth.logout(body.refreshToken);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiOkResponse({ type: CurrentUserDto })
  @ApiUnauthorizedResponse()
  @ApiForbiddenResponse({ description: 'Called with an API key rather than a user token' })
  me(@CurrentPrincipal() principal: Principal): CurrentUser {
    if (principal.kind !== 'user')
      throw new ForbiddenException('This route needs a user access token, not an API key');
    return { id: principal.id, username: principal.username, role: principal.role };
  }

  @Post('password')
  @HttpCode(204)
  @RequireRole('viewer')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Change your own password (needs the current one)',
    description: 'Your other sessions end; this one goes on.',
  })
  @ApiNoContentResponse()
  @ApiBadRequestResponse({ description: 'The new password is too short or the current one' })
  @ApiUnauthorizedResponse({ description: 'No token, or the current password is wrong' })
  @ApiForbiddenResponse({ description: 'Called with an API key' })
  async changePassword(
    @CurrentPrincipal() principal: Principal,
    @Body() body: ChangePasswordDto,
  ): Promise<void> {
    await this.users.changeOwnPassword(principal, body.currentPassword, body.newPassword);
  }
}

@ApiTags('api-keys')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiUnauthorizedResponse()
@ApiForbiddenResponse({ description: 'Needs the admin role' })
@RequireRole('admin')
@Controller('api/v1/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @ApiOperation({
    summary: 'Create an API key (the key is shown once)',
    description:
      'scopes: ingest (send logs), read (search, as a viewer), admin (everything); default ingest+read. ' +
      'source: the only source the key may ingest as and read.',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateApiKeyDto,
  ): Promise<CreatedApiKeyDetails> {
    return this.apiKeys.create(principal, body);
  }

  @Get()
  @ApiOperation({ summary: 'List API keys (without the keys), with scopes and last use' })
  @ApiOkResponse({ type: [ApiKeyDto] })
  list(): Promise<ApiKeyDetails[]> {
    return this.apiKeys.list();
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an API key; it stops working at once' })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiNotFoundResponse()
  revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ApiKeyDetails> {
    return this.apiKeys.revoke(principal, id);
  }
}
