import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import { DataSource, type QueryRunner } from 'typeorm';
import { compactRollups } from './rollups/rollup-maintenance';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Serialises partition changes between processes. */
export const PARTITION_LOCK_KEY = 4_242_002;
/** Lets one process at a time build full-text indexes. */
const TEXT_INDEX_LOCK_KEY = 4_242_003;
/**
 * Lines that arrive late (a server that was down for days) first land in `logs_default`; days up
 * to this far back get a partition of their own and their rows are moved into it.
 */
const ADOPT_DAYS_BACK = 31;
/** How long the layout read by searches may be stale (an index just built is used a little later). */
const LAYOUT_TTL_MS = 30_000;
/** How long the newest line stamped in the future may be stale (see newestLineAhead). */
const AHEAD_TTL_MS = 5_000;
/**
 * Replacing an old one-level partition of a coming day needs an exclusive lock on `logs`; rather
 * than queue every read and write behind a long export, give up and retry at the next run.
 */
const REPLACE_LOCK_TIMEOUT = '500ms';

export interface PartitionInfo {
  name: string;
  /** First day covered (UTC, `YYYY-MM-DD`), or null for the default partition. */
  day: string | null;
}

/** A time range [from, to) in ms. */
export interface TimeRange {
  from: number;
  to: number;
}

export interface SearchLayout {
  /** Time ranges whose partitions all have a full-text index, merged, oldest first. */
  indexed: TimeRange[];
  /** Start of the oldest and end of the newest day partition (beyond: logs_default); null for none. */
  earliest: number | null;
  latest: number | null;
}

/** Daily partition name for a UTC day: logs_p20261121. */
export function partitionName(dayStartMs: number): string {
  return `logs_p${new Date(dayStartMs).toISOString().slice(0, 10).replace(/-/g, '')}`;
}

/** Hour leaf name inside a day partition: logs_p20261121_h09. */
export function hourPartitionName(hourStartMs: number): string {
  return `${partitionName(utcDayStart(hourStartMs))}_h${new Date(hourStartMs).toISOString().slice(11, 13)}`;
}

/** The time a day partition (logs_pYYYYMMDD) or an hour leaf (…_hHH) covers; undefined for others. */
export function partitionRange(name: string): TimeRange | undefined {
  const match = /^logs_p(\d{4})(\d{2})(\d{2})(?:_h(\d{2}))?$/.exec(name);
  if (!match) return undefined;
  const day = Date.parse(`${match[1]}-${match[2]}-${match[3]}T00:00:00Z`);
  if (match[4] === undefined) return { from: day, to: day + DAY_MS };
  const from = day + Number(match[4]) * HOUR_MS;
  return { from, to: from + HOUR_MS };
}

export function utcDayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/**
 * Keeps one partition per UTC day ready from PARTITION_DAYS_BACK days ago to PARTITION_DAYS_AHEAD
 * days ahead, and moves rows out of `logs_default` when their day gets a partition.
 *
 * Today and tomorrow are split into 24 hour leaves (logs_p20261121_h00 … _h23) under their day
 * partition: the text index is built on each hour once it is over, so the part of the table a
 * full-text search must scan is at most one hour (docs/search-performance.md). Days further ahead
 * are one table until they are tomorrow (fewer tables for the planner to look at), past days (late
 * lines only) stay one table, and so do days made by versions before hour leaves; all keep working.
 * Retention drops and sizes whole days either way.
 */
@Injectable()
export class PartitionManager {
  private readonly logger = new Logger(PartitionManager.name);
  private layout: { at: number; value: SearchLayout } | undefined;
  private ahead: { at: number; value: number | null } | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(LOOKOUT_CONFIG) private readonly config: LookoutConfig,
  ) {}

  /**
   * Creates missing partitions (PARTITION_DAYS_AHEAD days ahead, or `daysAhead`); returns the
   * names it created. Safe to run from several processes.
   */
  async maintain(now = Date.now(), daysAhead = this.config.partitionDaysAhead): Promise<string[]> {
    const today = utcDayStart(now);
    const wanted = new Set<number>();
    for (let day = -this.config.partitionDaysBack; day <= daysAhead; day++) {
      wanted.add(today + day * DAY_MS);
    }
    for (const day of await this.daysWaitingInDefault(today)) wanted.add(day);

    const existing = await this.dayKinds();
    const created: string[] = [];
    const realToday = utcDayStart(Date.now());
    for (const day of [...wanted].sort((a, b) => a - b)) {
      // Today or tomorrow, and not over yet (`now` may be simulated, the clock is not).
      const hourly = day <= today + DAY_MS && day + DAY_MS > Date.now();
      const kind = existing.get(partitionName(day));
      // Tomorrow, made as one table a few days ago (or by an older version), gets its hour leaves
      // while still (nearly) empty; today is left as it is.
      const wrongShape = kind === 'table' && hourly && day > realToday;
      if (kind !== undefined && !wrongShape) continue;
      if (await this.createDayPartition(day, hourly)) created.push(partitionName(day));
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

  /** Day partitions by name: one table, or split into hour leaves. */
  private async dayKinds(): Promise<Map<string, 'table' | 'hours'>> {
    const rows: { name: string; kind: string }[] = await this.dataSource.query(
      `SELECT child.relname AS name, child.relkind AS kind FROM pg_inherits
         JOIN pg_class child ON child.oid = pg_inherits.inhrelid
        WHERE pg_inherits.inhparent = 'logs'::regclass`,
    );
    return new Map(rows.map((row) => [row.name, row.kind === 'p' ? 'hours' : 'table']));
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
   * Creates the partition of one day (with hour leaves when `hourly`), or gives a one-table day its
   * hour leaves. The table is built on its own, with the indexes of `logs`, and then attached:
   * attaching takes a lock that lets reads and writes of `logs` go on (creating it directly as a
   * partition would block them all). Rows of that day waiting in `logs_default` (or in the
   * one-table day being replaced) are moved into it in the same transaction, so no line is lost or
   * seen twice.
   */
  private async createDayPartition(day: number, hourly: boolean): Promise<boolean> {
    const name = partitionName(day);
    const bounds = `FROM ('${new Date(day).toISOString()}') TO ('${new Date(day + DAY_MS).toISOString()}')`;
    const runner: QueryRunner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK_KEY]);
      const [existing] = await runner.query(
        `SELECT c.relkind AS kind FROM pg_inherits JOIN pg_class c ON c.oid = pg_inherits.inhrelid
          WHERE pg_inherits.inhparent = 'logs'::regclass AND c.relname = $1`,
        [name],
      );
      if (existing && (existing.kind === 'p' || !hourly)) {
        await runner.commitTransaction();
        return false;
      }
      // Built under a temporary name when it replaces a one-table day; renamed once that is gone.
      const building = existing ? `${name}_next` : name;
      await runner.query(
        `CREATE TABLE ${building} (LIKE logs INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)${
          hourly ? ' PARTITION BY RANGE (ts)' : ''
        }`,
      );
      if (hourly) {
        for (let hour = day; hour < day + DAY_MS; hour += HOUR_MS) {
          await runner.query(
            `CREATE TABLE ${hourPartitionName(hour)} PARTITION OF ${building}
               FOR VALUES FROM ('${new Date(hour).toISOString()}') TO ('${new Date(hour + HOUR_MS).toISOString()}')`,
          );
        }
      }
      let moved = 0;
      if (existing) {
        await runner.query(`SET LOCAL lock_timeout = '${REPLACE_LOCK_TIMEOUT}'`);
        await runner.query(`ALTER TABLE logs DETACH PARTITION ${name}`);
        moved += await countRows(
          runner,
          `WITH copied AS (INSERT INTO ${building} SELECT * FROM ${name} RETURNING 1)
           SELECT count(*)::int AS n FROM copied`,
        );
        await runner.query(`DROP TABLE ${name}`);
        await runner.query(`ALTER TABLE ${building} RENAME TO ${name}`);
        await renameIndexes(runner, building, name);
      }
      moved += await countRows(
        runner,
        `WITH moved AS (DELETE FROM logs_default WHERE ts >= $1 AND ts < $2 RETURNING *),
              inserted AS (INSERT INTO ${name} SELECT * FROM moved RETURNING 1)
         SELECT count(*)::int AS n FROM inserted`,
        [new Date(day), new Date(day + DAY_MS)],
      );
      await runner.query(`ALTER TABLE logs ATTACH PARTITION ${name} FOR VALUES ${bounds}`);
      await runner.commitTransaction();
      if (moved > 0) this.logger.log(`Moved ${moved} waiting rows into ${name}`);
      return true;
    } catch (error) {
      await runner.rollbackTransaction().catch(() => undefined);
      if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) {
        this.logger.warn(
          `${name} still has no hour leaves (logs is busy); retrying at the next run`,
        );
        return false;
      }
      throw error;
    } finally {
      await runner.release();
    }
  }

  /**
   * Builds the full-text index of every hour leaf whose hour is over, and of every one-table day
   * that is over, newest first, where there is none yet. Kept off the hour being written on
   * purpose: a GIN index kept up on insert divides COPY speed by about 3, while building it once
   * the hour is closed costs a few seconds of one core per 200k lines, off the ingest path
   * (MEASUREMENTS.md §8, docs/search-performance.md). CONCURRENTLY: late lines can still be
   * written. Returns the partitions indexed.
   */
  async buildTextIndexes(now = Date.now()): Promise<string[]> {
    const rows = await this.leaves();
    const closed = rows
      .filter((row) => !row.indexed)
      .map((row) => ({ name: row.name, range: partitionRange(row.name) }))
      .filter((leaf) => leaf.range !== undefined && leaf.range.to <= now)
      .sort((a, b) => b.range!.from - a.range!.from);
    const built: string[] = [];
    if (closed.length === 0) return built;
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
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
          // Dropped by retention meanwhile.
          const [{ present }] = await runner.query(
            'SELECT to_regclass($1) IS NOT NULL AS present',
            [name],
          );
          if (!present) continue;
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
    if (built.length > 0) this.layout = undefined;
    return built;
  }

  /** Every leaf partition of `logs`, and whether it has a valid full-text index. */
  private leaves(): Promise<{ name: string; indexed: boolean }[]> {
    return this.dataSource.query(
      `SELECT c.relname AS name, EXISTS (
                SELECT 1 FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                 WHERE i.indrelid = c.oid AND ic.relname = c.relname || '_tsv_idx' AND i.indisvalid
              ) AS indexed
         FROM pg_partition_tree('logs') tree JOIN pg_class c ON c.oid = tree.relid
        WHERE tree.isleaf`,
    );
  }

  /**
   * What searches plan their reads by (read from the catalog at most every 30 s): the time ranges
   * whose lines all sit in partitions with a full-text index (merged, oldest first), and where the
   * oldest day partition starts and the newest ends (beyond, lines can only be in logs_default).
   */
  async searchLayout(): Promise<SearchLayout> {
    const now = Date.now();
    if (this.layout && now - this.layout.at < LAYOUT_TTL_MS) return this.layout.value;
    const rows = await this.leaves();
    const leaves = rows.flatMap((row) => {
      const range = partitionRange(row.name);
      return range ? [{ ...range, indexed: row.indexed }] : [];
    });
    const indexed: TimeRange[] = [];
    for (const range of leaves.filter((leaf) => leaf.indexed).sort((a, b) => a.from - b.from)) {
      const last = indexed[indexed.length - 1];
      if (last && range.from <= last.to) last.to = Math.max(last.to, range.to);
      else indexed.push({ from: range.from, to: range.to });
    }
    const value = {
      indexed,
      earliest: leaves.length > 0 ? Math.min(...leaves.map((leaf) => leaf.from)) : null,
      latest: leaves.length > 0 ? Math.max(...leaves.map((leaf) => leaf.to)) : null,
    };
    this.layout = { at: now, value };
    return value;
  }

  /**
   * The time of the newest line stamped more than an hour ahead of the clock (a host whose clock
   * is off), or null; looked up at most every 5 s. A search without an end reads up to an hour
   * ahead, or up to this line: never through every partition made for the days to come.
   */
  async newestLineAhead(): Promise<number | null> {
    const now = Date.now();
    if (this.ahead && now - this.ahead.at < AHEAD_TTL_MS) return this.ahead.value;
    const [{ newest }]: { newest: Date | null }[] = await this.dataSource.query(
      `SELECT max(ts) AS newest FROM logs WHERE ts >= $1`,
      [new Date(now + HOUR_MS)],
    );
    const value = newest ? newest.getTime() : null;
    this.ahead = { at: now, value };
    return value;
  }

  /** Forgets batch ids older than a week: no job is retried that late. */
  async pruneBatchLedger(olderThanDays = 7): Promise<number> {
    const result = await this.dataSource.query(
      `DELETE FROM ingest_batches WHERE stored_at < now() - make_interval(days => $1)`,
      [olderThanDays],
    );
    return Array.isArray(result) ? Number(result[1] ?? 0) : 0;
  }

  /** Merges the rollup rows appended by the workers (see rollup-maintenance.ts). */
  compactRollups(): Promise<number | null> {
    return compactRollups(this.dataSource);
  }
}

/** SQLSTATE of a lock not obtained within lock_timeout. */
const LOCK_NOT_AVAILABLE = '55P03';

/** Runs a statement that answers one row with a count `n`. */
async function countRows(runner: QueryRunner, sql: string, params?: unknown[]): Promise<number> {
  const [{ n }]: { n: number }[] = await runner.query(sql, params);
  return n;
}

/** The indexes of a table renamed from `from…` to `to…`, named after it again. */
async function renameIndexes(runner: QueryRunner, from: string, to: string): Promise<void> {
  const rows: { name: string }[] = await runner.query(
    `SELECT ic.relname AS name FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
      WHERE i.indrelid = $1::regclass`,
    [to],
  );
  for (const { name } of rows) {
    if (name.startsWith(from)) {
      await runner.query(`ALTER INDEX ${name} RENAME TO ${to}${name.slice(from.length)}`);
    }
  }
}
