import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import type { RetentionPolicy, UpdateRetentionPolicyRequest } from '@app/contracts';
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { DataSource, Repository } from 'typeorm';
import { RetentionPolicyEntity, RetentionSourcePolicyEntity } from './retention.entities';
import type { RetentionLimits } from './retention-runner';

/** The retention policy: read by runs and the estimate, changed by admins. */
@Injectable()
export class RetentionPolicyService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(RetentionPolicyEntity)
    private readonly policies: Repository<RetentionPolicyEntity>,
    @InjectRepository(RetentionSourcePolicyEntity)
    private readonly sources: Repository<RetentionSourcePolicyEntity>,
    @Inject(LOOKOUT_CONFIG) private readonly config: LookoutConfig,
  ) {}

  async get(): Promise<RetentionPolicy> {
    const [policy, sources] = await Promise.all([
      this.policies.findOneByOrFail({ id: 1 }),
      this.sources.find({ order: { source: 'ASC' } }),
    ]);
    return {
      maxAgeDays: policy.maxAgeDays,
      sources: sources.map(({ source, maxAgeDays }) => ({ source, maxAgeDays })),
      diskBudgetBytes: policy.diskBudgetBytes,
      archive: policy.archive,
      archiveDir: this.config.archiveDir,
      intervalMinutes: policy.intervalMinutes,
      updatedAt: policy.updatedAt.toISOString(),
    };
  }

  /** Applies a change (left-out properties keep their value); returns the policy before and after. */
  async update(
    change: UpdateRetentionPolicyRequest,
  ): Promise<{ before: RetentionPolicy; after: RetentionPolicy }> {
    const before = await this.get();
    const next = {
      maxAgeDays: change.maxAgeDays === undefined ? before.maxAgeDays : change.maxAgeDays,
      sources: change.sources ?? before.sources,
      diskBudgetBytes:
        change.diskBudgetBytes === undefined ? before.diskBudgetBytes : change.diskBudgetBytes,
      archive: change.archive ?? before.archive,
      intervalMinutes: change.intervalMinutes ?? before.intervalMinutes,
    };
    const seen = new Set<string>();
    for (const { source, maxAgeDays } of next.sources) {
      if (seen.has(source)) throw new BadRequestException(`source "${source}" is listed twice`);
      seen.add(source);
      if (next.maxAgeDays !== null && maxAgeDays >= next.maxAgeDays) {
        throw new BadRequestException(
          `sources: "${source}" keeps ${maxAgeDays} days, not less than the global maxAgeDays ` +
            `(${next.maxAgeDays}); whole days are dropped at the global age, so a source cannot ` +
            `be kept longer`,
        );
      }
    }
    if (next.archive && !before.archive) await this.checkArchiveDir();

    await this.dataSource.transaction(async (manager) => {
      await manager.update(
        RetentionPolicyEntity,
        { id: 1 },
        {
          maxAgeDays: next.maxAgeDays,
          diskBudgetBytes: next.diskBudgetBytes,
          archive: next.archive,
          intervalMinutes: next.intervalMinutes,
          updatedAt: new Date(),
        },
      );
      if (change.sources) {
        await manager.query('DELETE FROM retention_source_policies');
        if (next.sources.length > 0)
          await manager.insert(RetentionSourcePolicyEntity, next.sources);
      }
    });
    return { before, after: await this.get() };
  }

  /** The limits a run applies. */
  static limits(policy: RetentionPolicy): RetentionLimits {
    return {
      maxAgeDays: policy.maxAgeDays,
      sources: policy.sources,
      diskBudgetBytes: policy.diskBudgetBytes,
      archive: policy.archive,
    };
  }

  /** Whether a policy removes anything at all. */
  static hasLimits(policy: RetentionPolicy): boolean {
    return (
      policy.maxAgeDays !== null || policy.diskBudgetBytes !== null || policy.sources.length > 0
    );
  }

  private async checkArchiveDir(): Promise<void> {
    const dir = this.config.archiveDir;
    try {
      await mkdir(dir, { recursive: true });
      await access(dir, constants.W_OK);
    } catch (error) {
      throw new BadRequestException(
        `archive: ARCHIVE_DIR ${dir} is not a writable directory (${(error as Error).message})`,
      );
    }
  }
}
