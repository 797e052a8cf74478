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
import type { ChannelTestResult, NotificationChannel } from '@app/contracts';
import {
  ChannelDto,
  ChannelTestResultDto,
  CreateChannelDto,
  UpdateChannelDto,
} from './channels.dto';
import { ChannelsService } from './channels.service';

@ApiTags('notifications')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiUnauthorizedResponse({ description: 'No valid API key or token' })
@ApiForbiddenResponse({ description: 'Reading needs viewer, changing needs editor' })
@RequireRole('viewer')
@Controller('api/v1/channels')
export class ChannelsController {
  constructor(private readonly channels: ChannelsService) {}

  @Get()
  @ApiOperation({ summary: 'List notification channels (secrets are never returned)' })
  @ApiOkResponse({ type: [ChannelDto] })
  list(): Promise<NotificationChannel[]> {
    return this.channels.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'One channel' })
  @ApiOkResponse({ type: ChannelDto })
  @ApiNotFoundResponse()
  get(@Param('id', ParseUUIDPipe) id: string): Promise<NotificationChannel> {
    return this.channels.get(id);
  }

  @Post()
  @RequireRole('editor')
  @ApiOperation({
    summary: 'Create an email or webhook channel',
    description:
      'Webhook URLs are resolved and refused when they point to loopback, private, link-local, CGNAT, multicast or other non-public addresses, unless WEBHOOK_ALLOW names them; WEBHOOK_DENY always refuses.',
  })
  @ApiCreatedResponse({ type: ChannelDto })
  @ApiBadRequestResponse({ description: 'Invalid or refused settings (each problem is named)' })
  @ApiConflictResponse({ description: 'The name is taken' })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateChannelDto,
  ): Promise<NotificationChannel> {
    return this.channels.create(principal, body);
  }

  @Patch(':id')
  @RequireRole('editor')
  @ApiOperation({
    summary: 'Change a channel',
    description:
      'settings are merged into the stored ones: a secret left out is kept, a field sent as null is removed.',
  })
  @ApiOkResponse({ type: ChannelDto })
  @ApiBadRequestResponse()
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'The name is taken' })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateChannelDto,
  ): Promise<NotificationChannel> {
    return this.channels.update(principal, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('editor')
  @ApiOperation({ summary: 'Delete a channel (its deliveries stay in the log)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<void> {
    return this.channels.remove(principal, id);
  }

  @Post(':id/test')
  @HttpCode(200)
  @RequireRole('editor')
  @ApiOperation({
    summary: 'Send a test message now',
    description:
      'Renders a sample alert with the channel template, sends it once and returns the outcome; the attempt is recorded in the delivery log (kind "test").',
  })
  @ApiOkResponse({ type: ChannelTestResultDto })
  @ApiNotFoundResponse()
  test(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ChannelTestResult> {
    return this.channels.test(principal, id);
  }
}
