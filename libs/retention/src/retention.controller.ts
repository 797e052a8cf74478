import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuditService, CurrentPrincipal, RequireRole, type Principal } from '@app/auth';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import type {
  ArchiveListItem,
  RetentionLogPage,
  RetentionPolicy,
  RetentionRun,
  StorageEstimate,
} from '@app/contracts';
import type { FastifyReply } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, In } from 'typeorm';
import { InjectDataSource } from '@nestjs/typeorm';
import { listArchives } from './archive-import';
import { RetentionArchiveImportEntity } from './retention.entities';
import {
  ArchiveListItemDto,
  RetentionLogPageDto,
  RetentionLogQueryDto,
  RetentionPolicyDto,
  RetentionRunDto,
  RunInProgressDto,
  RunRetentionQueryDto,
  StorageEstimateDto,
  UpdateRetentionPolicyDto,
} from './retention.dto';
import { RetentionPolicyService } from './retention-policy.service';
import { RetentionRuns } from './retention-runs.service';
import { StorageEstimateService } from './storage-estimate.service';

const DEFAULT_WAIT_SECONDS = 10;

function principalName(principal: Principal): string {
  return principal.kind === 'user' ? principal.username : `API key "${principal.name}"`;
}

@ApiTags('retention')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiUnauthorizedResponse({ description: 'No valid API key or token' })
@ApiForbiddenResponse({ description: 'The caller lacks the role this needs' })
@Controller('api/v1/retention')
export class RetentionController {
  constructor(
    private readonly policies: RetentionPolicyService,
    private readonly runs: RetentionRuns,
    private readonly storage: StorageEstimateService,
    private readonly audit: AuditService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(LOOKOUT_CONFIG) private readonly config: LookoutConfig,
  ) {}

  @Get('policy')
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'The retention policy: how long lines are kept and how much disk they may take',
  })
  @ApiOkResponse({ type: RetentionPolicyDto })
  getPolicy(): Promise<RetentionPolicy> {
    return this.policies.get();
  }

  @Put('policy')
  @RequireRole('admin')
  @ApiOperation({
    summary: 'Change the retention policy',
    description:
      'Properties left out keep their value; null turns a limit off. Applied by the next run (scheduled, or POST /run).',
  })
  @ApiOkResponse({ type: RetentionPolicyDto })
  @ApiBadRequestResponse({
    description:
      'A property is invalid, a source age is not under the global age, or ARCHIVE_DIR is not writable',
  })
  async putPolicy(
    @CurrentPrincipal() principal: Principal,
    @Body() body: UpdateRetentionPolicyDto,
  ): Promise<RetentionPolicy> {
    const { before, after } = await this.policies.update(body);
    await this.audit.record(principal, {
      action: 'retention.policy.update',
      entityType: 'retention-policy',
      entityId: null,
      before,
      after,
    });
    return after;
  }

  @Post('run')
  @HttpCode(200)
  @RequireRole('admin')
  @ApiOperation({
    summary: 'Run retention now',
    description:
      'Applies the policy now. Answers 200 with the finished run and its actions when it ends within `wait` seconds, else 202 with the run in progress: follow it at GET /runs/:id.',
  })
  @ApiOkResponse({ type: RetentionRunDto, description: 'The run finished' })
  @ApiAcceptedResponse({ type: RetentionRunDto, description: 'The run goes on in the background' })
  @ApiConflictResponse({ type: RunInProgressDto, description: 'A run is in progress already' })
  async run(
    @CurrentPrincipal() principal: Principal,
    @Query() query: RunRetentionQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RetentionRun> {
    const { run, done } = await this.runs.start('manual', principalName(principal));
    await this.audit.record(principal, {
      action: 'retention.run',
      entityType: 'retention-run',
      entityId: run.id,
    });
    const waitMs = (query.wait ?? DEFAULT_WAIT_SECONDS) * 1000;
    const timer = new AbortController();
    const finished = await Promise.race([
      done,
      sleep(waitMs, null, { signal: timer.signal }).catch(() => null),
    ]);
    timer.abort();
    if (finished) return finished;
    void reply.status(202);
    return this.runs.get(run.id);
  }

  @Get('runs')
  @RequireRole('admin')
  @ApiOperation({ summary: 'The last 50 runs, newest first' })
  @ApiOkResponse({ type: [RetentionRunDto] })
  listRuns(): Promise<RetentionRun[]> {
    return this.runs.list();
  }

  @Get('runs/:id')
  @RequireRole('admin')
  @ApiOperation({ summary: 'One run: its progress while it works, its actions once done' })
  @ApiOkResponse({ type: RetentionRunDto })
  @ApiNotFoundResponse({ description: 'No such run' })
  getRun(@Param('id', ParseUUIDPipe) id: string): Promise<RetentionRun> {
    return this.runs.get(id);
  }

  @Get('log')
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'The retention log: every partition dropped, rows deleted and archive imported',
  })
  @ApiOkResponse({ type: RetentionLogPageDto })
  log(@Query() query: RetentionLogQueryDto): Promise<RetentionLogPage> {
    return this.runs.log(query);
  }

  @Get('estimate')
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'Disk use of the logs and the days of history it allows',
    description:
      'Bytes per day, the current ingest rate, and how many days of history the disk budget holds at that rate.',
  })
  @ApiOkResponse({ type: StorageEstimateDto })
  estimate(): Promise<StorageEstimate> {
    return this.storage.estimate();
  }

  @Get('archives')
  @RequireRole('admin')
  @ApiOperation({
    summary:
      'The archives in ARCHIVE_DIR, newest first (re-import one with `npm run archive:import -- <manifest>`)',
  })
  @ApiOkResponse({ type: [ArchiveListItemDto] })
  archives(): Promise<ArchiveListItem[]> {
    return listArchives(this.config.archiveDir, async (ids) => {
      if (ids.length === 0) return new Map();
      const rows = await this.dataSource
        .getRepository(RetentionArchiveImportEntity)
        .findBy({ archiveId: In(ids) });
      return new Map(rows.map((row) => [row.archiveId, row.importedAt]));
    });
  }
}
