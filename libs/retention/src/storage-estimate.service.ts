import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { StorageEstimate } from '@app/contracts';
import { PartitionManager } from '@app/storage';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { estimateStorage, type DaySize } from './estimate';
import { partitionUsage, sqlName, TOTAL_LOG_BYTES_SQL, totalLogBytes } from './log-partitions';
import { RetentionPolicyService } from './retention-policy.service';

/** Bounds the count of recent lines, so the estimate stays fast at any ingest rate. */
const MAX_LINES_COUNTED = 5_000_000;

/** Sizes of the log data and what they mean for the policy (GET /retention/estimate). */
@Injectable()
export class StorageEstimateService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly partitions: PartitionManager,
    private readonly policies: RetentionPolicyService,
  ) {}

  async estimate(now = Date.now()): Promise<StorageEstimate> {
    const policy = await this.policies.get();
    const listed = await this.partitions.list();
    const queryRunner = this.dataSource.createQueryRunner();
    const client = (await queryRunner.connect()) as PoolClient;
    try {
      const usage = await partitionUsage(client, listed);
      const totalBytes = await totalLogBytes(client);
      const days: DaySize[] = [];
      const newestFirst = usage
        .filter((partition) => partition.dayStart !== null)
        .sort((a, b) => b.dayStart! - a.dayStart!);
      for (const partition of newestFirst) {
        // Statistics lag behind (a new day is not analysed yet): look for one row instead.
        const any = await client.query(`SELECT 1 FROM ${sqlName(partition.name)} LIMIT 1`);
        const hasRows = any.rows.length > 0;
        days.push({
          day: partition.day!,
          dayStart: partition.dayStart!,
          partition: partition.name,
          bytes: partition.bytes,
          rowsEstimate: partition.rowsEstimate,
          hasRows,
        });
      }
      const oldest = await client.query<{ ts: Date | null }>(`SELECT min(ts) AS ts FROM logs`);
      const recent = await client.query<{ n: string }>(
        `SELECT count(*)::bigint AS n FROM (
           SELECT 1 FROM logs WHERE ts > $1 AND ts <= $2 LIMIT ${MAX_LINES_COUNTED}) recent`,
        [new Date(now - 300_000), new Date(now)],
      );
      return estimateStorage({
        now,
        totalBytes,
        diskBudgetBytes: policy.diskBudgetBytes,
        maxAgeDays: policy.maxAgeDays,
        days,
        defaultPartitionBytes: usage.find((partition) => partition.day === null)?.bytes ?? 0,
        oldestLine: oldest.rows[0].ts,
        linesLast5Minutes: Number(recent.rows[0].n),
      });
    } finally {
      await queryRunner.release();
    }
  }

  /** Bytes of all log data (cheap: catalog sizes only). */
  async totalBytes(): Promise<number> {
    const [row]: { bytes: string }[] = await this.dataSource.query(TOTAL_LOG_BYTES_SQL);
    return Number(row.bytes);
  }
}
