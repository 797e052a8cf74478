import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { ApiKeySummary, CreatedApiKey, CurrentUser, LoginResponse } from '@app/contracts';
import { AuthService } from './auth.service';
import {
  ApiKeyDto,
  CreateApiKeyDto,
  CreatedApiKeyDto,
  CurrentUserDto,
  LoginDto,
  LoginResponseDto,
} from './auth.dto';
import { CurrentPrincipal, Public } from './decorators';
import type { Principal } from './principal';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in and get an access token' })
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiUnauthorizedResponse({ description: 'Wrong username or password' })
  login(@Body() body: LoginDto): Promise<LoginResponse> {
    return this.auth.login(body.username, body.password);
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
}

/** API keys are managed by admins signed in as users; a key cannot mint keys. */
function requireAdmin(principal: Principal): string {
  if (principal.kind !== 'user' || principal.role !== 'admin') {
    throw new ForbiddenException('Managing API keys needs an admin user token');
  }
  return principal.id;
}

@ApiTags('api-keys')
@ApiBearerAuth()
@ApiUnauthorizedResponse()
@ApiForbiddenResponse({ description: 'Needs an admin user token' })
@Controller('api/v1/api-keys')
export class ApiKeysController {
  constructor(private readonly auth: AuthService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key (the key is shown once)' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateApiKeyDto,
  ): Promise<CreatedApiKey> {
    return this.auth.createApiKey(body.name, requireAdmin(principal));
  }

  @Get()
  @ApiOperation({ summary: 'List API keys (without the keys)' })
  @ApiOkResponse({ type: [ApiKeyDto] })
  list(@CurrentPrincipal() principal: Principal): Promise<ApiKeySummary[]> {
    requireAdmin(principal);
    return this.auth.listApiKeys();
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an API key; it stops working at once' })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiNotFoundResponse()
  revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ApiKeySummary> {
    requireAdmin(principal);
    return this.auth.revokeApiKey(id);
  }
}
