import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import type { RetentionPolicy, RetentionRun, RetentionRunTrigger } from '@app/contracts';
import { RetentionPolicyService } from './retention-policy.service';
import { RetentionRuns } from './retention-runs.service';
import { StorageEstimateService } from './storage-estimate.service';

const CHECK_EVERY_MS = 60_000;

/**
 * In the worker, every minute: a run when the policy's interval has passed since the last one,
 * or sooner when the log data has grown past the disk budget since the last run. Every worker
 * checks; the run lock lets one of them run.
 */
@Injectable()
export class RetentionScheduler {
  private readonly logger = new Logger(RetentionScheduler.name);

  constructor(
    private readonly runs: RetentionRuns,
    private readonly storage: StorageEstimateService,
  ) {}

  @Interval('retention-check', CHECK_EVERY_MS)
  async tick(now = Date.now()): Promise<RetentionRun | null> {
    try {
      const started = await this.runs.tryStart((policy) => this.due(policy, now));
      return started ? await started.done : null;
    } catch (error) {
      this.logger.error(`Retention check failed: ${(error as Error).message}`);
      return null;
    }
  }

  /** Asked while holding the run lock, so two workers never both decide to run. */
  private async due(policy: RetentionPolicy, now: number): Promise<RetentionRunTrigger | null> {
    if (!RetentionPolicyService.hasLimits(policy)) return null;
    const last = await this.runs.lastRun();
    if (!last || now - Date.parse(last.startedAt) >= policy.intervalMinutes * 60_000) {
      return 'schedule';
    }
    if (policy.diskBudgetBytes === null) return null;
    const total = await this.storage.totalBytes();
    // Over budget, and grown since the last run (if that run could do no more, waiting helps).
    const grown = last.totalBytesAfter === null || total > last.totalBytesAfter;
    return total > policy.diskBudgetBytes && grown ? 'budget' : null;
  }
}
