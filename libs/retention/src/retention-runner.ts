import type {
  RetentionActionKind,
  RetentionReason,
  RetentionRunProgress,
  SourceRetention,
} from '@app/contracts';
import { utcDayStart, type PartitionInfo } from '@app/storage';
import type { ClientBase } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { setTimeout as sleep } from 'node:timers/promises';
import { ArchiveWriter, archiveId, discardArchive, recoverArchives } from './archive-writer';
import {
  archiveRowSql,
  DAY_MS,
  deleteBatch,
  dropPartition,
  leafRows,
  leavesOf,
  logColumns,
  partitionUsage,
  reclaimSpace,
  sqlName,
  totalLogBytes,
  truncateLeaf,
  type PartitionUsage,
  type RowSelection,
} from './log-partitions';

/** The limits a run applies (a snapshot of the policy when it started). */
export interface RetentionLimits {
  maxAgeDays: number | null;
  sources: SourceRetention[];
  diskBudgetBytes: number | null;
  archive: boolean;
}

export interface RunSettings {
  runId: string;
  now: number;
  archiveDir: string;
  /** Days behind today the partition manager keeps ready: empty ones there are left alone. */
  partitionDaysBack: number;
  /** Rows per DELETE batch: bounds each statement's locks, WAL burst and undo. */
  batchRows: number;
  /** Pause between batches, so deleting never starves ingest and search of I/O. */
  pauseMs: number;
  /**
   * Share of a closed leaf's rows that must have been deleted before it is rewritten
   * (VACUUM FULL) to give the space back; below it the space is only marked reusable.
   */
  compactFraction: number;
  signal: AbortSignal;
}

export interface NewRetentionAction {
  action: RetentionActionKind;
  reason: RetentionReason;
  partition: string | null;
  source: string | null;
  from: Date | null;
  to: Date | null;
  rows: number;
  bytesFreed: number;
  archivePath: string | null;
  durationMs: number;
}

/** Where a run tells what it does: persisted as the run's progress and the retention log. */
export interface RunReporter {
  phase(phase: RetentionRunProgress['phase'], step: string): void;
  step(step: string): void;
  stepRows(rows: number): void;
  skipped(what: string): void;
  action(action: NewRetentionAction): Promise<void>;
}

/** Lines were removed from [from, to) (of one source): derived data (rollups) must follow. */
export type RemovalListener = (range: {
  from: Date | null;
  to: Date;
  source?: string;
}) => Promise<void>;

export class RunAborted extends Error {
  override name = 'RunAborted';
  constructor() {
    super('The run was interrupted (the process is shutting down)');
  }
}

/** The archive of a row removal, opened lazily. */
interface ArchiveSlot {
  writer: ArchiveWriter | undefined;
}

interface RowRemoval {
  partition: string;
  where: string;
  params: unknown[];
  reason: RetentionReason;
  source?: string;
  /** The selection in time, as the archive manifest states it. */
  from: Date | null;
  to: Date;
  /** Always rewrite the leaves afterwards (the disk budget needs the bytes back). */
  compact: boolean;
  archive: boolean;
}

const PAGE_BYTES = 8192;
/** Rounds of "estimate, delete, rewrite, measure" when trimming for the disk budget. */
const TRIM_ROUNDS = 5;

const COPY_JSON_LINES = `WITH (FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02')`;

/**
 * One retention run over the log partitions, on one dedicated connection:
 * 1. max age: whole days older than the age are dropped (after their archive, if asked); rows of
 *    the default partition older than it are deleted;
 * 2. per source: that source's older rows are deleted, leaf by leaf;
 * 3. disk budget: while the data is over budget, the oldest past day goes; when only today (and
 *    empty future days) is left, its oldest lines are trimmed and their leaves rewritten.
 * Rows are deleted in bounded, paused batches, except that a leaf whose rows all go is emptied at
 * once (TRUNCATE). Today's and future partitions are never dropped.
 */
export class RetentionRunner {
  private sequence = 0;
  private columns: string[] | undefined;

  constructor(
    private readonly client: ClientBase,
    private readonly listPartitions: () => Promise<PartitionInfo[]>,
    private readonly removed: RemovalListener,
    private readonly reporter: RunReporter,
    private readonly settings: RunSettings,
  ) {}

  async run(limits: RetentionLimits): Promise<void> {
    // Archive lines carry timestamps as UTC ISO strings, whatever the server's zone.
    await this.client.query(`SET TimeZone = 'UTC'`);
    try {
      if (limits.archive) {
        const salvaged = await recoverArchives(this.settings.archiveDir);
        for (const id of salvaged) this.reporter.skipped(`salvaged the unfinished archive ${id}`);
      }
      if (limits.maxAgeDays !== null) await this.byAge(limits.maxAgeDays, limits.archive);
      for (const source of limits.sources) await this.bySource(source, limits.archive);
      if (limits.diskBudgetBytes !== null)
        await this.byBudget(limits.diskBudgetBytes, limits.archive);
    } finally {
      await this.client.query('RESET TimeZone').catch(() => undefined);
    }
  }

  private async byAge(maxAgeDays: number, archive: boolean): Promise<void> {
    const cutoff = this.settings.now - maxAgeDays * DAY_MS;
    this.reporter.phase('max-age', `removing lines older than ${new Date(cutoff).toISOString()}`);
    for (const partition of await this.days()) {
      if (partition.dayStart! + DAY_MS > cutoff) break;
      if (!(await this.worthDropping(partition))) continue;
      await this.removeDay(partition, 'max-age', archive);
    }
    await this.removeRows({
      partition: 'logs_default',
      where: 'ts < $1',
      params: [new Date(cutoff)],
      reason: 'max-age',
      from: null,
      to: new Date(cutoff),
      compact: false,
      archive,
    });
  }

  private async bySource(policy: SourceRetention, archive: boolean): Promise<void> {
    const cutoff = this.settings.now - policy.maxAgeDays * DAY_MS;
    this.reporter.phase(
      'source-max-age',
      `removing lines of "${policy.source}" older than ${new Date(cutoff).toISOString()}`,
    );
    const targets: { name: string; from: Date | null; to: Date }[] = (await this.days())
      .filter((partition) => partition.dayStart! < cutoff)
      .map((partition) => ({
        name: partition.name,
        from: new Date(partition.dayStart!),
        to: new Date(Math.min(partition.dayStart! + DAY_MS, cutoff)),
      }));
    targets.push({ name: 'logs_default', from: null, to: new Date(cutoff) });
    for (const target of targets) {
      await this.removeRows({
        partition: target.name,
        where: 'source = $1 AND ts < $2',
        params: [policy.source, new Date(cutoff)],
        reason: 'source-max-age',
        source: policy.source,
        from: target.from,
        to: target.to,
        compact: false,
        archive,
      });
    }
  }

  private async byBudget(budget: number, archive: boolean): Promise<void> {
    let total = await totalLogBytes(this.client);
    if (total <= budget) return;
    this.reporter.phase('disk-budget', `${total} bytes of logs, over the budget of ${budget}`);
    const today = utcDayStart(this.settings.now);
    for (const partition of await this.days()) {
      if (total <= budget || partition.dayStart! >= today) break;
      const dayEnd = new Date(partition.dayStart! + DAY_MS);
      // Lines of the default partition as old as this day go before it.
      await this.removeRows({
        partition: 'logs_default',
        where: 'ts < $1',
        params: [dayEnd],
        reason: 'disk-budget',
        from: null,
        to: dayEnd,
        compact: true,
        archive,
      });
      total = await totalLogBytes(this.client);
      if (total <= budget) break;
      if (!(await this.worthDropping(partition))) continue;
      await this.removeDay(partition, 'disk-budget', archive);
      total = await totalLogBytes(this.client);
    }
    // Only today (or days that could not be dropped) left: trim the oldest lines.
    for (let round = 0; round < TRIM_ROUNDS && total > budget; round++) {
      if (!(await this.trimOldest(total - budget, archive))) break;
      total = await totalLogBytes(this.client);
    }
    if (total > budget) {
      this.reporter.skipped(
        `still ${total - budget} bytes over the disk budget: nothing more can be removed (empty partitions kept for the coming days take space too)`,
      );
    }
  }

  /**
   * Deletes about enough of the oldest lines to free `excess` bytes. The bytes a row frees are
   * estimated from the leaves that hold rows, less what each leaf keeps when empty (the first page
   * of every index), with a 10% margin. Returns false when nothing was deleted.
   */
  private async trimOldest(excess: number, archive: boolean): Promise<boolean> {
    this.reporter.step(`trimming the oldest lines to free ${excess} bytes`);
    const { rows } = await this.client.query<{ leaf: string; indexes: number }>(
      `SELECT t.relid::regclass::text AS leaf,
              (SELECT count(*)::int FROM pg_index i WHERE i.indrelid = t.relid) AS indexes
         FROM pg_partition_tree('logs'::regclass) t WHERE t.isleaf`,
    );
    let bytes = 0;
    let count = 0;
    for (const { leaf, indexes } of rows) {
      const counted = await this.client.query<{ n: string; bytes: string }>(
        `SELECT count(*)::bigint AS n, pg_total_relation_size($1::regclass)::bigint AS bytes FROM ${leaf}`,
        [leaf],
      );
      const n = Number(counted.rows[0].n);
      if (n === 0) continue;
      count += n;
      bytes += Math.max(0, Number(counted.rows[0].bytes) - indexes * PAGE_BYTES);
    }
    if (count === 0 || bytes === 0) return false;
    const toDelete = Math.min(count, Math.ceil((excess / (bytes / count)) * 1.1));
    // Everything strictly older than the row at that rank (ties at the boundary stay).
    const boundary = await this.client.query<{ ts: Date }>(
      `SELECT ts FROM logs ORDER BY ts OFFSET $1 LIMIT 1`,
      [toDelete],
    );
    const where = boundary.rows.length > 0 ? 'ts < $1' : 'ts <= $1';
    const until =
      boundary.rows[0]?.ts ??
      (await this.client.query<{ ts: Date }>(`SELECT max(ts) AS ts FROM logs`)).rows[0].ts;
    let deleted = 0;
    for (const partition of await this.listPartitions()) {
      deleted += await this.removeRows({
        partition: partition.name,
        where,
        params: [until],
        reason: 'disk-budget',
        from: partition.day ? new Date(`${partition.day}T00:00:00Z`) : null,
        to: until,
        compact: true,
        archive,
      });
    }
    return deleted > 0;
  }

  /** Day partitions, oldest first, with their sizes. */
  private async days(): Promise<PartitionUsage[]> {
    const usage = await partitionUsage(this.client, await this.listPartitions());
    return usage
      .filter((partition) => partition.dayStart !== null)
      .sort((a, b) => a.dayStart! - b.dayStart!);
  }

  /**
   * An empty day that the partition manager keeps ready (within PARTITION_DAYS_BACK) would be
   * created again within the hour: it is left alone.
   */
  private async worthDropping(partition: PartitionUsage): Promise<boolean> {
    const managed =
      partition.dayStart! >=
      utcDayStart(this.settings.now) - this.settings.partitionDaysBack * DAY_MS;
    if (!managed) return true;
    const any = await this.client.query(`SELECT 1 FROM ${sqlName(partition.name)} LIMIT 1`);
    return any.rows.length > 0;
  }

  /** Archives (when asked) and drops one whole day. Returns false when it was left for later. */
  private async removeDay(
    partition: PartitionUsage,
    reason: RetentionReason,
    archive: boolean,
  ): Promise<boolean> {
    this.checkAborted();
    const started = Date.now();
    const from = new Date(partition.dayStart!);
    const to = new Date(partition.dayStart! + DAY_MS);
    if (!archive) {
      this.reporter.step(`dropping ${partition.name}`);
      const counted = await this.client.query<{ n: string }>(
        `SELECT count(*)::bigint AS n FROM ${sqlName(partition.name)}`,
      );
      const outcome = await dropPartition(this.client, partition.name);
      if (!outcome.dropped) {
        this.reporter.skipped(`${partition.name}: busy (a lock was held for too long); next run`);
        return false;
      }
      await this.recordDayDropped(partition, reason, started, {
        rows: Number(counted.rows[0].n),
        bytesFreed: outcome.bytes,
        archivePath: null,
      });
      return true;
    }
    for (let attempt = 1; attempt <= 3; attempt++) {
      this.reporter.step(`archiving ${partition.name}`);
      const writer = await ArchiveWriter.open(this.settings.archiveDir, {
        id: this.nextArchiveId(partition.name, reason),
        kind: 'export',
        from: from.toISOString(),
        to: to.toISOString(),
        partition: partition.name,
        source: null,
        reason,
        runId: this.settings.runId,
        columns: await this.logColumns(),
      });
      let rows: number;
      try {
        rows = await this.exportPartition(partition.name, writer);
      } catch (error) {
        await writer.abandon();
        throw error;
      }
      const { manifestPath } = await writer.finish();
      this.reporter.step(`dropping ${partition.name} (${rows} rows archived)`);
      const outcome = await dropPartition(this.client, partition.name, rows).catch(
        async (error: unknown) => {
          await discardArchive(this.settings.archiveDir, writer.id);
          throw error;
        },
      );
      if (outcome.dropped) {
        await this.recordDayDropped(partition, reason, started, {
          rows,
          bytesFreed: outcome.bytes,
          archivePath: manifestPath,
        });
        return true;
      }
      await discardArchive(this.settings.archiveDir, writer.id);
      if (outcome.why === 'busy') {
        this.reporter.skipped(`${partition.name}: busy (a lock was held for too long); next run`);
        return false;
      }
      // Late lines arrived during the export: export again with them.
    }
    this.reporter.skipped(
      `${partition.name}: kept receiving lines while it was archived; next run`,
    );
    return false;
  }

  /** Streams a day as NDJSON through COPY (server-side, never all in memory) from one snapshot. */
  private async exportPartition(partition: string, writer: ArchiveWriter): Promise<number> {
    await this.client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      await this.exportLeaf(sqlName(partition), writer);
      await this.client.query('COMMIT');
      return writer.rowCount;
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /**
   * Removes the selected rows of every leaf of a partition and records one action for the
   * partition. A leaf whose rows are all selected is emptied at once (TRUNCATE); otherwise rows go
   * in bounded batches with a pause between them, and the leaf is then vacuumed (rewritten when a
   * large share went). With an archive, rows are on disk before their removal commits.
   * Returns the rows removed.
   */
  private async removeRows(removal: RowRemoval): Promise<number> {
    const started = Date.now();
    const archive: ArchiveSlot = { writer: undefined };
    let rows = 0;
    let bytesFreed = 0;
    // The time range of the lines removed: what the log shows, and what rollups must forget.
    let first: Date | undefined;
    let last: Date | undefined;
    const exists = await this.client.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [
      removal.partition,
    ]);
    if (!exists.rows[0].ok) return 0;
    try {
      for (const leaf of await leavesOf(this.client, removal.partition)) {
        const selection: RowSelection = { leaf, where: removal.where, params: removal.params };
        const { rows: found } = await this.client.query<{
          min: Date | null;
          max: Date | null;
          whole: boolean;
        }>(
          `SELECT (SELECT min(ts) FROM ${leaf} WHERE ${removal.where}) AS min,
                  (SELECT max(ts) FROM ${leaf} WHERE ${removal.where}) AS max,
                  NOT EXISTS (SELECT 1 FROM ${leaf} WHERE NOT (${removal.where})) AS whole`,
          removal.params,
        );
        const { min, max } = found[0];
        if (!min || !max) continue;
        if (!first || min < first) first = min;
        if (!last || max > last) last = max;
        this.checkAborted();
        this.reporter.step(
          `deleting from ${leaf}${removal.source ? ` the lines of "${removal.source}"` : ''}`,
        );
        const emptied = found[0].whole
          ? await truncateLeaf(this.client, selection, async () => {
              if (removal.archive)
                await this.exportLeaf(leaf, await this.openDeletes(archive, removal));
            })
          : null;
        if (emptied) {
          rows += emptied.rows;
          bytesFreed += emptied.bytesFreed;
          this.reporter.stepRows(rows);
          continue;
        }
        const rowsBefore = await leafRows(this.client, leaf);
        const deleted = await this.deleteInBatches(selection, removal, archive, rows);
        rows += deleted;
        const full =
          removal.compact || deleted >= this.settings.compactFraction * Math.max(rowsBefore, 1);
        bytesFreed += await reclaimSpace(this.client, leaf, full);
      }
    } catch (error) {
      // Rows removed so far are in the archive file: it stays for the next run to salvage.
      await archive.writer?.release();
      throw error;
    }
    if (rows === 0 || !first || !last) {
      await archive.writer?.abandon();
      return 0;
    }
    const archivePath = archive.writer ? (await archive.writer.finish()).manifestPath : null;
    await this.recordRemoval(
      {
        action: 'delete-rows',
        reason: removal.reason,
        partition: removal.partition,
        source: removal.source ?? null,
        from: first,
        to: new Date(last.getTime() + 1),
        rows,
        bytesFreed,
        archivePath,
        durationMs: Date.now() - started,
      },
      removal.source,
    );
    return rows;
  }

  /** Bounded DELETE batches with a pause between them; returns the rows deleted. */
  private async deleteInBatches(
    selection: RowSelection,
    removal: RowRemoval,
    archive: ArchiveSlot,
    doneBefore: number,
  ): Promise<number> {
    const { batchRows, pauseMs } = this.settings;
    let deleted = 0;
    for (;;) {
      this.checkAborted();
      let batch: number;
      if (removal.archive) {
        const writer = await this.openDeletes(archive, removal);
        await this.client.query('BEGIN');
        try {
          const result = await deleteBatch(
            this.client,
            selection,
            batchRows,
            archiveRowSql('t', await this.logColumns()),
          );
          await writer.appendDurably(result.docs, result.minTs, result.maxTs);
          await this.client.query('COMMIT');
          batch = result.rows;
        } catch (error) {
          await this.client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      } else {
        batch = (await deleteBatch(this.client, selection, batchRows)).rows;
      }
      deleted += batch;
      this.reporter.stepRows(doneBefore + deleted);
      if (batch < batchRows) return deleted;
      if (pauseMs > 0) await sleep(pauseMs);
    }
  }

  /** The archive of one row removal, opened when its first rows are about to go. */
  private async openDeletes(slot: ArchiveSlot, removal: RowRemoval): Promise<ArchiveWriter> {
    slot.writer ??= await ArchiveWriter.open(this.settings.archiveDir, {
      id: this.nextArchiveId(removal.partition, removal.reason, removal.source),
      kind: 'deletes',
      from: removal.from?.toISOString() ?? null,
      to: removal.to.toISOString(),
      partition: removal.partition,
      source: removal.source ?? null,
      reason: removal.reason,
      runId: this.settings.runId,
      columns: await this.logColumns(),
    });
    return slot.writer;
  }

  /** Appends a table (a leaf or a whole day) to an archive through COPY, in the caller's transaction. */
  private async exportLeaf(leaf: string, writer: ArchiveWriter): Promise<void> {
    const range = await this.client.query<{ min: Date | null; max: Date | null }>(
      `SELECT min(ts) AS min, max(ts) AS max FROM ${leaf}`,
    );
    const stream = this.client.query(
      copyTo(
        `COPY (SELECT ${archiveRowSql('t', await this.logColumns())} FROM ${leaf} t) TO STDOUT ${COPY_JSON_LINES}`,
      ),
    );
    await writer.writeStream(stream, range.rows[0].min, range.rows[0].max);
  }

  /** Records a whole day dropped (archived first when `archivePath` is set). */
  private async recordDayDropped(
    partition: PartitionUsage,
    reason: RetentionReason,
    started: number,
    what: { rows: number; bytesFreed: number; archivePath: string | null },
  ): Promise<void> {
    await this.recordRemoval(
      {
        action: 'drop-partition',
        reason,
        partition: partition.name,
        source: null,
        from: new Date(partition.dayStart!),
        to: new Date(partition.dayStart! + DAY_MS),
        ...what,
        durationMs: Date.now() - started,
      },
      undefined,
    );
  }

  private async recordRemoval(
    action: NewRetentionAction,
    source: string | undefined,
  ): Promise<void> {
    await this.reporter.action(action);
    await this.removed({ from: action.from, to: action.to!, source });
  }

  private nextArchiveId(partition: string, reason: RetentionReason, source?: string): string {
    return archiveId({
      partition,
      reason,
      source,
      runId: this.settings.runId,
      sequence: ++this.sequence,
    });
  }

  private async logColumns(): Promise<string[]> {
    this.columns ??= await logColumns(this.client);
    return this.columns;
  }

  private checkAborted(): void {
    if (this.settings.signal.aborted) throw new RunAborted();
  }
}
