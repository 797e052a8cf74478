import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression, Interval } from '@nestjs/schedule';
import { PartitionManager } from './partition-manager.service';

/** How often the rollup rows appended by the workers are merged (they are summed until then). */
const ROLLUP_COMPACTION_MS = 10_000;

/**
 * The storage chores of the worker: hourly, partitions ahead of time, late days adopted from the
 * default partition and old ledger ids pruned; every minute, full-text indexes built on the hours
 * (and days) that are over; every 10 s, rollup rows merged. Each chore runs once at a time per
 * process; across processes, advisory locks keep them from doing the same work twice.
 */
@Injectable()
export class PartitionScheduler {
  private readonly logger = new Logger(PartitionScheduler.name);
  private readonly running = new Set<string>();

  constructor(private readonly partitions: PartitionManager) {}

  @Cron(CronExpression.EVERY_HOUR, { name: 'partition-maintenance' })
  maintainPartitions(): Promise<void> {
    return this.once('partition maintenance', async () => {
      await this.partitions.maintain();
      await this.partitions.pruneBatchLedger();
    });
  }

  @Cron(CronExpression.EVERY_MINUTE, { name: 'text-indexes' })
  buildTextIndexes(): Promise<void> {
    return this.once('full-text index build', () => this.partitions.buildTextIndexes());
  }

  @Interval('rollup-compaction', ROLLUP_COMPACTION_MS)
  compactRollups(): Promise<void> {
    return this.once('rollup compaction', () => this.partitions.compactRollups());
  }

  private async once(chore: string, work: () => Promise<unknown>): Promise<void> {
    if (this.running.has(chore)) return;
    this.running.add(chore);
    try {
      await work();
    } catch (error) {
      this.logger.error(`${chore} failed: ${(error as Error).message}`);
    } finally {
      this.running.delete(chore);
    }
  }
}
