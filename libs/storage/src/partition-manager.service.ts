import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import { DataSource, type QueryRunner } from 'typeorm';

const DAY_MS = 86_400_000;
/** Serialises partition changes between processes. */
export const PARTITION_LOCK_KEY = 4_242_002;
/** Lets one process at a time build full-text indexes. */
const TEXT_INDEX_LOCK_KEY = 4_242_003;
/**
 * Lines that arrive late (a server that was down for days) first land in `logs_default`; days up
 * to this far back get a partition of their own and their rows are moved into it.
 */
const ADOPT_DAYS_BACK = 31;

export interface PartitionInfo {
  name: string;
  /** First day covered (UTC, `YYYY-MM-DD`), or null for the default partition. */
  day: string | null;
}

/** Daily partition name for a UTC day: logs_p20261121. */
export function partitionName(dayStartMs: number): string {
  return `logs_p${new Date(dayStartMs).toISOString().slice(0, 10).replace(/-/g, '')}`;
}

export function utcDayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/**
 * Keeps one partition per UTC day ready from PARTITION_DAYS_BACK days ago to PARTITION_DAYS_AHEAD
 * days ahead, and moves rows out of `logs_default` when their day gets a partition.
 */
@Injectable()
export class PartitionManager {
  private readonly logger = new Logger(PartitionManager.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(LOOKOUT_CONFIG) private readonly config: LookoutConfig,
  ) {}

  /** Creates missing partitions; returns the names it created. Safe to run from several processes. */
  async maintain(now = Date.now()): Promise<string[]> {
    const today = utcDayStart(now);
    const wanted = new Set<number>();
    for (let day = -this.config.partitionDaysBack; day <= this.config.partitionDaysAhead; day++) {
      wanted.add(today + day * DAY_MS);
    }
    for (const day of await this.daysWaitingInDefault(today)) wanted.add(day);

    const existing = new Set((await this.list()).map((partition) => partition.name));
    const created: string[] = [];
    for (const day of [...wanted].sort((a, b) => a - b)) {
      if (existing.has(partitionName(day))) continue;
      if (await this.createDayPartition(day)) created.push(partitionName(day));
    }
    if (created.length > 0) this.logger.log(`Created partitions ${created.join(', ')}`);
    return created;
  }

  async list(): Promise<PartitionInfo[]> {
    const rows: { name: string }[] = await this.dataSource.query(
      `SELECT child.relname AS name FROM pg_inherits
         JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
         JOIN pg_class child ON child.oid = pg_inherits.inhrelid
        WHERE parent.relname = 'logs' ORDER BY child.relname`,
    );
    return rows.map(({ name }) => {
      const match = /^logs_p(\d{4})(\d{2})(\d{2})$/.exec(name);
      return { name, day: match ? `${match[1]}-${match[2]}-${match[3]}` : null };
    });
  }

  /** Days (within the adoption window) that have rows waiting in the default partition. */
  private async daysWaitingInDefault(today: number): Promise<number[]> {
    const rows: { day: Date }[] = await this.dataSource.query(
      `SELECT DISTINCT date_trunc('day', ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day
         FROM logs_default WHERE ts >= $1 AND ts < $2`,
      [
        new Date(today - ADOPT_DAYS_BACK * DAY_MS),
        new Date(today + (this.config.partitionDaysAhead + 1) * DAY_MS),
      ],
    );
    return rows.map((row) => new Date(row.day).getTime());
  }

  /**
   * Creates the partition of one day. Rows of that day already in `logs_default` are moved into the
   * new table before it is attached, all in one transaction, so no line is lost or seen twice.
   */
  private async createDayPartition(day: number): Promise<boolean> {
    const name = partitionName(day);
    const from = new Date(day).toISOString();
    const to = new Date(day + DAY_MS).toISOString();
    const runner: QueryRunner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK_KEY]);
      const exists = await runner.query('SELECT 1 FROM pg_class WHERE relname = $1', [name]);
      if (exists.length > 0) {
        await runner.commitTransaction();
        return false;
      }
      const waiting = await runner.query(
        'SELECT 1 FROM logs_default WHERE ts >= $1 AND ts < $2 LIMIT 1',
        [from, to],
      );
      if (waiting.length === 0) {
        await runner.query(
          `CREATE TABLE ${name} PARTITION OF logs FOR VALUES FROM ('${from}') TO ('${to}')`,
        );
      } else {
        await runner.query(
          `CREATE TABLE ${name} (LIKE logs INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
        );
        const moved = await runner.query(
          `WITH moved AS (DELETE FROM logs_default WHERE ts >= $1 AND ts < $2 RETURNING *)
           INSERT INTO ${name} SELECT * FROM moved`,
          [from, to],
        );
        await runner.query(
          `ALTER TABLE logs ATTACH PARTITION ${name} FOR VALUES FROM ('${from}') TO ('${to}')`,
        );
        this.logger.log(`Moved ${moved?.[1] ?? 'waiting'} rows from logs_default into ${name}`);
      }
      await runner.commitTransaction();
      return true;
    } catch (error) {
      await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /**
   * Builds the full-text index of every daily partition whose day is over and that has none yet.
   * Kept off the hot partition on purpose: a GIN index kept up on insert divides COPY speed by
   * about 3, while building it once the day is closed costs ~60 s of one core per million rows,
   * off the ingest path (MEASUREMENTS.md §8). CONCURRENTLY: late lines can still be written.
   * Returns the partitions indexed.
   */
  async buildTextIndexes(now = Date.now()): Promise<string[]> {
    const today = utcDayStart(now);
    const closed = (await this.list()).filter(
      (partition) => partition.day !== null && Date.parse(`${partition.day}T00:00:00Z`) < today,
    );
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const built: string[] = [];
    try {
      // One builder at a time across processes; the others skip this round.
      const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [
        TEXT_INDEX_LOCK_KEY,
      ]);
      if (!locked) return built;
      try {
        for (const { name } of closed) {
          const index = `${name}_tsv_idx`;
          const exists = await runner.query(
            `SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1 AND i.indisvalid`,
            [index],
          );
          if (exists.length > 0) continue;
          // A build interrupted earlier leaves an invalid index behind: replace it.
          await runner.query(`DROP INDEX CONCURRENTLY IF EXISTS ${index}`);
          const started = Date.now();
          await runner.query(
            `CREATE INDEX CONCURRENTLY ${index} ON ${name} USING gin (log_tsv(message))`,
          );
          this.logger.log(
            `Built the full-text index of ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
          );
          built.push(name);
        }
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [TEXT_INDEX_LOCK_KEY]);
      }
    } finally {
      await runner.release();
    }
    return built;
  }

  /** Forgets batch ids older than a week: no job is retried that late. */
  async pruneBatchLedger(olderThanDays = 7): Promise<number> {
    const result = await this.dataSource.query(
      `DELETE FROM ingest_batches WHERE stored_at < now() - make_interval(days => $1)`,
      [olderThanDays],
    );
    return Array.isArray(result) ? Number(result[1] ?? 0) : 0;
  }
}
