import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { TOTAL_LOG_BYTES_SQL } from './log-partitions';

interface RetentionSnapshot {
  removed: { reason: string; rows: number; bytes: number }[];
  lastRun: { status: string; finishedAt: Date } | null;
  totalBytes: number;
  budget: number | null;
}

/** Set by the api's RetentionMetrics: where the gauges read their values at scrape time. */
let snapshotSource: (() => Promise<RetentionSnapshot>) | undefined;
let cached: { at: number; value: Promise<RetentionSnapshot> } | undefined;

/** One snapshot per scrape: every gauge below reads the same one. */
function snapshot(): Promise<RetentionSnapshot> | undefined {
  if (!snapshotSource) return undefined;
  if (!cached || Date.now() - cached.at > 1000) {
    cached = { at: Date.now(), value: snapshotSource() };
  }
  return cached.value;
}

// Totals over the retention log, so they count what every process (worker or api) removed. Every
// api process reads the same values, so with API_PROCESSES > 1 they are aggregated with max.
new Gauge({
  name: 'lookout_retention_rows_removed_total',
  aggregator: 'max',
  help: 'Log lines removed by retention (dropped with their day or deleted), by reason',
  labelNames: ['reason'] as const,
  async collect() {
    const value = await snapshot()?.catch(() => undefined);
    for (const { reason, rows } of value?.removed ?? []) this.set({ reason }, rows);
  },
});
new Gauge({
  name: 'lookout_retention_bytes_freed_total',
  aggregator: 'max',
  help: 'Bytes given back to the disk by retention, by reason',
  labelNames: ['reason'] as const,
  async collect() {
    const value = await snapshot()?.catch(() => undefined);
    for (const { reason, bytes } of value?.removed ?? []) this.set({ reason }, bytes);
  },
});
new Gauge({
  name: 'lookout_retention_last_run_timestamp_seconds',
  aggregator: 'max',
  help: 'When the last retention run ended (unix seconds), labelled with how it ended',
  labelNames: ['status'] as const,
  async collect() {
    const value = await snapshot()?.catch(() => undefined);
    this.reset();
    if (value?.lastRun) {
      this.set({ status: value.lastRun.status }, value.lastRun.finishedAt.getTime() / 1000);
    }
  },
});
new Gauge({
  name: 'lookout_log_storage_bytes',
  aggregator: 'max',
  help: 'Bytes the log partitions take on disk (tables, indexes, TOAST)',
  async collect() {
    const value = await snapshot()?.catch(() => undefined);
    if (value) this.set(value.totalBytes);
  },
});
new Gauge({
  name: 'lookout_retention_disk_budget_bytes',
  aggregator: 'max',
  help: 'The disk budget of the retention policy (absent when none is set)',
  async collect() {
    const value = await snapshot()?.catch(() => undefined);
    this.reset();
    if (value?.budget !== null && value?.budget !== undefined) this.set(value.budget);
  },
});

/** Points the retention gauges at this api's database. */
@Injectable()
export class RetentionMetrics implements OnModuleInit {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    snapshotSource = () => this.read();
    cached = undefined;
  }

  private async read(): Promise<RetentionSnapshot> {
    const [removed, lastRun, total, policy] = await Promise.all([
      this.dataSource.query(
        `SELECT reason, sum(rows)::bigint AS rows, sum(bytes_freed)::bigint AS bytes
           FROM retention_actions WHERE action <> 'import-archive' GROUP BY reason`,
      ) as Promise<{ reason: string; rows: string; bytes: string }[]>,
      this.dataSource.query(
        `SELECT status, finished_at FROM retention_runs WHERE finished_at IS NOT NULL
          ORDER BY finished_at DESC LIMIT 1`,
      ) as Promise<{ status: string; finished_at: Date }[]>,
      this.dataSource.query(TOTAL_LOG_BYTES_SQL) as Promise<{ bytes: string }[]>,
      this.dataSource.query(
        `SELECT disk_budget_bytes FROM retention_policy WHERE id = 1`,
      ) as Promise<{ disk_budget_bytes: string | null }[]>,
    ]);
    return {
      removed: removed.map((row) => ({
        reason: row.reason,
        rows: Number(row.rows),
        bytes: Number(row.bytes),
      })),
      lastRun: lastRun[0]
        ? { status: lastRun[0].status, finishedAt: lastRun[0].finished_at }
        : null,
      totalBytes: Number(total[0].bytes),
      budget: policy[0]?.disk_budget_bytes == null ? null : Number(policy[0].disk_budget_bytes),
    };
  }
}
