import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseBoolPipe,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CurrentPrincipal, RequireRole, type Principal } from '@app/auth';
import type {
  AlertDetail,
  AlertListResponse,
  AlertRule,
  BacktestResponse,
  Silence,
} from '@app/contracts';
import { BacktestService } from '../backtest/backtest.service';
import {
  AbsenceSettingsDto,
  AlertRuleDto,
  AnomalySettingsDto,
  BacktestDto,
  CreateAlertRuleDto,
  PatternSettingsDto,
  ThresholdSettingsDto,
  UpdateAlertRuleDto,
} from './alert-rules.dto';
import { AlertRulesService } from './alert-rules.service';
import {
  AcknowledgeDto,
  AlertDetailDto,
  AlertListQueryDto,
  AlertListResponseDto,
  BacktestResponseDto,
  CreateSilenceDto,
  SilenceDto,
} from './alerts.dto';
import { AlertsService } from './alerts.service';
import { SilencesService } from './silences.service';

@ApiTags('alerting')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid API key or token' })
@ApiForbiddenResponse({ description: 'Changes need the editor role' })
@ApiExtraModels(ThresholdSettingsDto, PatternSettingsDto, AnomalySettingsDto, AbsenceSettingsDto)
@RequireRole('viewer')
@Controller('api/v1/alert-rules')
export class AlertRulesController {
  constructor(
    private readonly rules: AlertRulesService,
    private readonly backtests: BacktestService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Alert rules with their health (last evaluated and matched, fires, flapping)',
  })
  @ApiOkResponse({ type: [AlertRuleDto] })
  list(): Promise<AlertRule[]> {
    return this.rules.list();
  }

  @Post('backtest')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replay stored history through a rule (saved or not)',
    description:
      'Counts the matching lines per time step and group in SQL, then runs the live verdicts and ' +
      'state machine over them: the fire/resolve timeline, the notifications that would have been ' +
      'sent, and sample lines of the first fires. At most 7 days.',
  })
  @ApiOkResponse({ type: BacktestResponseDto })
  @ApiBadRequestResponse({
    description: 'Invalid rule, query or range, or the replay took too long',
  })
  backtest(@Body() body: BacktestDto): Promise<BacktestResponse> {
    return this.backtests.run(body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One alert rule' })
  @ApiOkResponse({ type: AlertRuleDto })
  @ApiNotFoundResponse()
  get(@Param('id', ParseUUIDPipe) id: string): Promise<AlertRule> {
    return this.rules.get(id);
  }

  @Post()
  @RequireRole('editor')
  @ApiOperation({ summary: 'Create an alert rule; running workers evaluate it within a second' })
  @ApiCreatedResponse({ type: AlertRuleDto })
  @ApiBadRequestResponse({ description: 'Invalid query (with position) or setting (named)' })
  @ApiConflictResponse({ description: 'A rule has this name already' })
  create(
    @Body() body: CreateAlertRuleDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<AlertRule> {
    return this.rules.create(body, principal);
  }

  @Patch(':id')
  @RequireRole('editor')
  @ApiOperation({
    summary: 'Change an alert rule',
    description:
      'Settings are merged into the current ones (unless the type changes). Changing what is ' +
      'evaluated (query, type, groupBy, forSeconds, settings) or disabling resolves its open alerts.',
  })
  @ApiOkResponse({ type: AlertRuleDto })
  @ApiBadRequestResponse()
  @ApiNotFoundResponse()
  update(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateAlertRuleDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<AlertRule> {
    return this.rules.update(id, body, principal);
  }

  @Delete(':id')
  @RequireRole('editor')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an alert rule (its open alerts resolve; history stays)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  remove(
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    return this.rules.remove(id, principal);
  }
}

@ApiTags('alerting')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid API key or token' })
@ApiForbiddenResponse({ description: 'Acknowledging needs the editor role' })
@RequireRole('viewer')
@Controller('api/v1/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @ApiOperation({ summary: 'Alert history, newest first, with filters and paging' })
  @ApiOkResponse({ type: AlertListResponseDto })
  @ApiBadRequestResponse()
  list(@Query() query: AlertListQueryDto): Promise<AlertListResponse> {
    return this.alerts.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One alert with every transition and its evidence (sample lines)' })
  @ApiOkResponse({ type: AlertDetailDto })
  @ApiNotFoundResponse()
  get(@Param('id', ParseUUIDPipe) id: string): Promise<AlertDetail> {
    return this.alerts.get(id);
  }

  @Post(':id/acknowledge')
  @RequireRole('editor')
  @HttpCode(200)
  @ApiOperation({ summary: 'Acknowledge an alert (who and when); it is no longer repeated' })
  @ApiOkResponse({ type: AlertDetailDto })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'Acknowledged already' })
  acknowledge(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: AcknowledgeDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<AlertDetail> {
    return this.alerts.acknowledge(id, body.comment, principal);
  }
}

@ApiTags('alerting')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid API key or token' })
@ApiForbiddenResponse({ description: 'Changes need the editor role' })
@RequireRole('viewer')
@Controller('api/v1/silences')
export class SilencesController {
  constructor(private readonly silences: SilencesService) {}

  @Get()
  @ApiOperation({ summary: 'Silences, newest first' })
  @ApiQuery({
    name: 'active',
    required: false,
    type: Boolean,
    description: 'Only those not over yet',
  })
  @ApiOkResponse({ type: [SilenceDto] })
  list(
    @Query('active', new ParseBoolPipe({ optional: true })) active?: boolean,
  ): Promise<Silence[]> {
    return this.silences.list(active ?? false);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One silence' })
  @ApiOkResponse({ type: SilenceDto })
  @ApiNotFoundResponse()
  get(@Param('id', ParseUUIDPipe) id: string): Promise<Silence> {
    return this.silences.get(id);
  }

  @Post()
  @RequireRole('editor')
  @ApiOperation({
    summary: 'Silence notifications for a time: one rule or all, the groups matching `matchers`',
    description: 'Transitions it covers are stored (marked with the silence) but not sent.',
  })
  @ApiCreatedResponse({ type: SilenceDto })
  @ApiBadRequestResponse()
  create(
    @Body() body: CreateSilenceDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Silence> {
    return this.silences.create(body, principal);
  }

  @Delete(':id')
  @RequireRole('editor')
  @ApiOperation({ summary: 'End a silence now (it stays listed)' })
  @ApiOkResponse({ type: SilenceDto })
  @ApiNotFoundResponse()
  expire(
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Silence> {
    return this.silences.expire(id, principal);
  }
}
