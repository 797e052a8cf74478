import {
  ConflictException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import type {
  RetentionAction,
  RetentionLogPage,
  RetentionPolicy,
  RetentionReason,
  RetentionRun,
  RetentionRunProgress,
  RetentionRunStatus,
  RetentionRunTrigger,
} from '@app/contracts';
import { PartitionManager } from '@app/storage';
import type { PoolClient } from 'pg';
import { DataSource, LessThan, Repository, type FindOptionsWhere, type QueryRunner } from 'typeorm';
import { totalLogBytes } from './log-partitions';
import { RetentionPolicyService } from './retention-policy.service';
import { RetentionActionEntity, RetentionRunEntity } from './retention.entities';
import {
  RetentionRunner,
  RunAborted,
  type NewRetentionAction,
  type RunReporter,
} from './retention-runner';
import { RemovedLines } from './removed-lines';

/** Any constant: held (session level) by the one retention run in progress, in any process. */
export const RETENTION_LOCK_KEY = 4_242_010;

/** How often a run's progress is written while it deletes in batches. */
const PROGRESS_EVERY_MS = 500;

/** Knobs of the batched deletes (tests and benchmarks change them; the defaults suit production). */
export interface RetentionTuning {
  batchRows: number;
  pauseMs: number;
  compactFraction: number;
}

export class RunInProgressError extends ConflictException {
  constructor(readonly runId: string | null) {
    super({
      message: `A retention run is in progress${runId ? ` (${runId}); follow it at GET /api/v1/retention/runs/${runId}` : ''}`,
      runId,
    });
  }
}

interface StartedRun {
  run: RetentionRun;
  /** Resolves with the finished run (never rejects: a failure is the run's status). */
  done: Promise<RetentionRun>;
}

/**
 * Starts, tracks and records retention runs. One run at a time across every process: a run holds
 * a session-level advisory lock on its own connection, and does all its work on that connection,
 * so the lock goes when the run's process or connection dies.
 */
@Injectable()
export class RetentionRuns implements OnApplicationShutdown {
  private readonly logger = new Logger(RetentionRuns.name);
  private active: { id: string; done: Promise<RetentionRun>; abort: AbortController } | undefined;
  readonly tuning: RetentionTuning = { batchRows: 10_000, pauseMs: 50, compactFraction: 0.2 };

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(RetentionRunEntity) private readonly runs: Repository<RetentionRunEntity>,
    @InjectRepository(RetentionActionEntity)
    private readonly actions: Repository<RetentionActionEntity>,
    private readonly policies: RetentionPolicyService,
    private readonly partitions: PartitionManager,
    private readonly removedLines: RemovedLines,
    @Inject(LOOKOUT_CONFIG) private readonly config: LookoutConfig,
  ) {}

  /**
   * Starts a run now. Throws RunInProgressError when one is running anywhere.
   */
  async start(trigger: RetentionRunTrigger, requestedBy: string | null): Promise<StartedRun> {
    const started = await this.tryStart(async () => trigger, requestedBy);
    if (started) return started;
    throw new RunInProgressError(await this.runningId());
  }

  /**
   * Starts a run if no other is in progress and `decide` (asked once the lock is held, with the
   * current policy) names a trigger; otherwise returns null.
   */
  async tryStart(
    decide: (policy: RetentionPolicy) => Promise<RetentionRunTrigger | null>,
    requestedBy: string | null = null,
  ): Promise<StartedRun | null> {
    const queryRunner = this.dataSource.createQueryRunner();
    const client = (await queryRunner.connect()) as PoolClient;
    let locked = false;
    let handedOver = false;
    try {
      locked = (
        await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
          RETENTION_LOCK_KEY,
        ])
      ).rows[0].locked;
      if (!locked) return null;
      const policy = await this.policies.get();
      const trigger = await decide(policy);
      if (!trigger) return null;
      // Runs left 'running' by a dead process: their lock is gone, since we hold it now.
      await this.runs.update(
        { status: 'running' },
        { status: 'interrupted', finishedAt: new Date(), error: 'the process running it stopped' },
      );
      const entity = await this.runs.save(
        this.runs.create({
          trigger,
          requestedBy,
          status: 'running',
          startedAt: new Date(),
          finishedAt: null,
          progress: initialProgress(),
          error: null,
          totalBytesAfter: null,
        }),
      );
      const abort = new AbortController();
      const done = this.execute(entity, policy, client, queryRunner, abort.signal);
      handedOver = true; // execute() unlocks and releases the connection when it ends
      this.active = { id: entity.id, done, abort };
      return { run: toRun(entity), done };
    } finally {
      if (!handedOver) {
        if (locked) await unlock(client);
        await queryRunner.release();
      }
    }
  }

  private execute(
    entity: RetentionRunEntity,
    policy: RetentionPolicy,
    client: PoolClient,
    queryRunner: QueryRunner,
    signal: AbortSignal,
  ): Promise<RetentionRun> {
    const reporter = new PersistingReporter(entity.id, this.runs, this.actions);
    const runner = new RetentionRunner(
      client,
      () => this.partitions.list(),
      (range) => this.removedLines.forget(range),
      reporter,
      {
        runId: entity.id,
        now: Date.now(),
        archiveDir: this.config.archiveDir,
        partitionDaysBack: this.config.partitionDaysBack,
        ...this.tuning,
        signal,
      },
    );
    return (async () => {
      let status: RetentionRunStatus = 'done';
      let error: string | null = null;
      try {
        await runner.run(RetentionPolicyService.limits(policy));
      } catch (caught) {
        status = caught instanceof RunAborted ? 'interrupted' : 'failed';
        error = (caught as Error).message;
        this.logger.error(`Retention run ${entity.id} ${status}: ${error}`);
      }
      const totalBytesAfter = await totalLogBytes(client).catch(() => null);
      try {
        await reporter.finish(status, error, totalBytesAfter);
      } catch (caught) {
        this.logger.error(
          `Could not record the end of run ${entity.id}: ${(caught as Error).message}`,
        );
      }
      await unlock(client);
      await queryRunner.release().catch(() => undefined);
      if (this.active?.id === entity.id) this.active = undefined;
      this.logger.log(
        `Retention run ${entity.id} ${status}: ${reporter.progress.actions} actions, ` +
          `${reporter.progress.rowsDeleted} rows, ${reporter.progress.bytesFreed} bytes freed`,
      );
      return this.get(entity.id).catch(() => ({ ...toRun(entity), status, error }));
    })();
  }

  /** A run with its actions. A run marked running whose lock nobody holds died with its process. */
  async get(id: string): Promise<RetentionRun> {
    const entity = await this.runs.findOneBy({ id });
    if (!entity) throw new NotFoundException(`No retention run ${id}`);
    if (entity.status === 'running' && this.active?.id !== id && !(await this.lockHeld())) {
      entity.status = 'interrupted';
      entity.error = 'the process running it stopped';
    }
    const actions = await this.actions.find({ where: { runId: id }, order: { id: 'ASC' } });
    return { ...toRun(entity), actions: actions.map(toAction) };
  }

  async list(limit = 50): Promise<RetentionRun[]> {
    const entities = await this.runs.find({ order: { startedAt: 'DESC' }, take: limit });
    return entities.map(toRun);
  }

  async lastRun(): Promise<RetentionRun | null> {
    const [entity] = await this.runs.find({ order: { startedAt: 'DESC' }, take: 1 });
    return entity ? toRun(entity) : null;
  }

  /** The retention log, newest first, with keyset paging. */
  async log(query: {
    before?: string;
    limit?: number;
    reason?: RetentionReason;
    source?: string;
  }): Promise<RetentionLogPage> {
    const limit = Math.min(Math.max(query.limit ?? 100, 1), 1000);
    const where: FindOptionsWhere<RetentionActionEntity> = {};
    if (query.before) where.id = LessThan(query.before);
    if (query.reason) where.reason = query.reason;
    if (query.source) where.source = query.source;
    const rows = await this.actions.find({ where, order: { id: 'DESC' }, take: limit + 1 });
    const items = rows.slice(0, limit).map(toAction);
    return { items, nextBefore: rows.length > limit ? items[items.length - 1].id : null };
  }

  private async runningId(): Promise<string | null> {
    if (this.active) return this.active.id;
    const [running] = await this.runs.find({
      where: { status: 'running' },
      order: { startedAt: 'DESC' },
      take: 1,
    });
    return running?.id ?? null;
  }

  private async lockHeld(): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND classid = 0 AND objid = $1 AND objsubid = 1
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [RETENTION_LOCK_KEY],
    );
    return rows.length > 0;
  }

  /** On shutdown the run in progress stops between two batches and is recorded as interrupted. */
  async onApplicationShutdown(): Promise<void> {
    const active = this.active;
    if (!active) return;
    active.abort.abort();
    await Promise.race([active.done, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  }
}

async function unlock(client: PoolClient): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK_KEY]).catch(() => undefined);
}

function initialProgress(): RetentionRunProgress {
  return {
    phase: 'starting',
    step: 'starting',
    actions: 0,
    rowsDeleted: 0,
    bytesFreed: 0,
    skipped: [],
  };
}

/** Writes a run's progress (throttled) and each action as it happens. */
class PersistingReporter implements RunReporter {
  readonly progress = initialProgress();
  private lastWrite = 0;
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly runId: string,
    private readonly runs: Repository<RetentionRunEntity>,
    private readonly actions: Repository<RetentionActionEntity>,
  ) {}

  phase(phase: RetentionRunProgress['phase'], step: string): void {
    this.progress.phase = phase;
    this.step(step);
  }

  step(step: string): void {
    this.progress.step = step;
    delete this.progress.stepRows;
    this.persistSoon(true);
  }

  stepRows(rows: number): void {
    this.progress.stepRows = rows;
    this.persistSoon(false);
  }

  skipped(what: string): void {
    this.progress.skipped.push(what);
    this.persistSoon(true);
  }

  async action(action: NewRetentionAction): Promise<void> {
    await this.actions.insert({
      runId: this.runId,
      action: action.action,
      reason: action.reason,
      partition: action.partition,
      source: action.source,
      rangeFrom: action.from,
      rangeTo: action.to,
      rows: action.rows,
      bytesFreed: action.bytesFreed,
      archivePath: action.archivePath,
      durationMs: action.durationMs,
    });
    this.progress.actions++;
    this.progress.rowsDeleted += action.rows;
    this.progress.bytesFreed += action.bytesFreed;
    this.persistSoon(true);
  }

  async finish(
    status: RetentionRunStatus,
    error: string | null,
    totalBytesAfter: number | null,
  ): Promise<void> {
    await this.writing;
    this.progress.phase = 'finished';
    this.progress.step = status;
    delete this.progress.stepRows;
    await this.runs.update(
      { id: this.runId },
      { status, error, finishedAt: new Date(), totalBytesAfter, progress: this.progress },
    );
  }

  /** One write at a time; rapid updates (every batch) at most every PROGRESS_EVERY_MS. */
  private persistSoon(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastWrite < PROGRESS_EVERY_MS) return;
    this.lastWrite = now;
    const snapshot = structuredClone(this.progress);
    this.writing = this.writing
      .then(() => this.runs.update({ id: this.runId }, { progress: snapshot }))
      .catch(() => undefined); // progress is informative; the run goes on
  }
}

function toRun(entity: RetentionRunEntity): RetentionRun {
  return {
    id: entity.id,
    trigger: entity.trigger,
    requestedBy: entity.requestedBy,
    status: entity.status,
    startedAt: entity.startedAt.toISOString(),
    finishedAt: entity.finishedAt?.toISOString() ?? null,
    progress: entity.progress,
    error: entity.error,
    totalBytesAfter: entity.totalBytesAfter,
  };
}

export function toAction(entity: RetentionActionEntity): RetentionAction {
  return {
    id: String(entity.id),
    at: entity.at.toISOString(),
    runId: entity.runId,
    action: entity.action as RetentionAction['action'],
    reason: entity.reason as RetentionAction['reason'],
    partition: entity.partition,
    source: entity.source,
    from: entity.rangeFrom?.toISOString() ?? null,
    to: entity.rangeTo?.toISOString() ?? null,
    rows: entity.rows,
    bytesFreed: entity.bytesFreed,
    archivePath: entity.archivePath,
    durationMs: entity.durationMs,
  };
}
