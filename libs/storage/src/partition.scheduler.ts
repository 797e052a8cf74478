import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { PartitionManager } from './partition-manager.service';

/**
 * Hourly: partitions ahead of time, late days adopted from the default partition, old ledger ids
 * pruned, full-text indexes built on the days that are over.
 */
@Injectable()
export class PartitionScheduler {
  private readonly logger = new Logger(PartitionScheduler.name);

  constructor(private readonly partitions: PartitionManager) {}

  @Cron(CronExpression.EVERY_HOUR, { name: 'partition-maintenance' })
  async run(): Promise<void> {
    try {
      await this.partitions.maintain();
      await this.partitions.pruneBatchLedger();
      await this.partitions.buildTextIndexes();
    } catch (error) {
      this.logger.error(`Partition maintenance failed: ${(error as Error).message}`);
    }
  }
}
