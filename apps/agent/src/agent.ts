import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { CheckpointMap, FileTailer, type FileTailerOptions, type TailBatch } from '@app/tailer';
import type { AgentConfig, FileGroup } from './agent-config';
import { DiskBuffer } from './disk-buffer';
import { EventBatcher, type OutgoingBatch } from './event-batcher';
import { IngestClient, type ShipEvent } from './ingest-client';
import { consoleLog, type AgentLog } from './log';
import { Shipper, type ShipperCounts } from './shipper';
import { loadOffsets, lockStateDir, saveOffsets } from './state-dir';

export interface AgentOptions {
  log?: AgentLog;
  /** Default one minute. */
  statsIntervalMs?: number;
  /** Tailer timings, for tests. */
  tailer?: Pick<FileTailerOptions, 'pollIntervalMs' | 'scanIntervalMs' | 'rotatedGraceMs'>;
}

/** Blank lines are not sent (the server skips them too); then the group's regex filters. */
function keeps(group: FileGroup, text: string): boolean {
  if (text.trim() === '') return false;
  if (group.includeRegex && !group.includeRegex.test(text)) return false;
  return !group.excludeRegex?.test(text);
}

/**
 * Tails the configured files and ships their lines: tailers → filters → batches → the server, or
 * the disk buffer while it does not answer. A tailer's checkpoints are saved only once its lines
 * are delivered or buffered, so a restart neither loses nor repeats lines.
 */
export class Agent {
  /** Resolves with the error that made the agent give up (the server refused the lines). */
  readonly failed: Promise<Error>;
  private reportFailure!: (error: Error) => void;
  private failure: Error | undefined;
  private readonly shipper: Shipper;
  private readonly batcher: EventBatcher;
  private readonly tailers: FileTailer[];
  private readonly statsTimer: NodeJS.Timeout;
  private lastCounts: ShipperCounts = { sent: 0, buffered: 0, dropped: 0 };
  private stopped: Promise<void> | undefined;

  private constructor(
    private readonly config: AgentConfig,
    private readonly log: AgentLog,
    private readonly buffer: DiskBuffer,
    private readonly checkpoints: CheckpointMap,
    private readonly releaseLock: () => Promise<void>,
    options: AgentOptions,
  ) {
    this.failed = new Promise((resolve) => (this.reportFailure = resolve));
    this.shipper = new Shipper({
      client: new IngestClient(config),
      buffer,
      retry: config.retry,
      log,
      onRefused: (error) => this.fail(error),
    });
    this.batcher = new EventBatcher({
      maxLines: config.batch.maxLines,
      flushMs: config.batch.flushMs,
      deliver: (batch) => this.deliver(batch),
    });
    const initialCheckpoints = checkpoints.list();
    this.tailers = config.files.map(
      (group) =>
        new FileTailer({
          include: group.include,
          exclude: group.exclude,
          startAt: group.startAt,
          multiline: group.multiline,
          initialCheckpoints,
          batchMaxLines: config.batch.maxLines,
          onBatch: (batch) => this.accept(group, batch),
          onError: (error) => this.fail(error),
          onWarning: (message) => log.warn(message),
          ...options.tailer,
        }),
    );
    // Files no group covers any more (the configuration changed) are forgotten.
    checkpoints.retain((checkpoint) => this.tailers.some((t) => t.matches(checkpoint.path)));
    const statsIntervalMs = options.statsIntervalMs ?? 60_000;
    this.statsTimer = setInterval(() => this.logStats(statsIntervalMs), statsIntervalMs);
  }

  static async start(config: AgentConfig, options: AgentOptions = {}): Promise<Agent> {
    const log = options.log ?? consoleLog;
    await fs.mkdir(config.stateDir, { recursive: true });
    const releaseLock = await lockStateDir(config.stateDir);
    try {
      const buffer = await DiskBuffer.open(
        path.join(config.stateDir, 'buffer'),
        config.buffer.maxBytes,
        log,
      );
      const checkpoints = new CheckpointMap(await loadOffsets(config.stateDir));
      // A crash between buffering a batch and saving offsets: the batch says where it ended.
      for (const update of buffer.recoveredUpdates) checkpoints.apply(update);
      const agent = new Agent(config, log, buffer, checkpoints, releaseLock, options);
      agent.begin();
      return agent;
    } catch (error) {
      await releaseLock();
      throw error;
    }
  }

  get counts(): ShipperCounts {
    return this.shipper.counts;
  }

  /** Stops tailing, sends or buffers what was read, saves offsets. Safe to call twice. */
  stop(): Promise<void> {
    this.stopped ??= this.shutDown();
    return this.stopped;
  }

  private begin(): void {
    const waiting = this.buffer.lines;
    this.log.info(
      `shipping ${this.config.files.length} file group(s) to ${this.config.url} as source "${this.config.source}"; state in ${this.config.stateDir}` +
        (waiting > 0 ? `; ${waiting} buffered lines to send first` : ''),
    );
    this.shipper.start();
    for (const tailer of this.tailers) tailer.start();
  }

  private accept(group: FileGroup, batch: TailBatch): Promise<void> {
    const events: ShipEvent[] = [];
    for (const line of batch.lines) {
      if (keeps(group, line.text)) events.push({ text: line.text, path: line.path });
    }
    return this.batcher.add(events, { checkpoints: batch.checkpoints, finished: batch.finished });
  }

  private async deliver(batch: OutgoingBatch): Promise<void> {
    if (this.failure) throw this.failure;
    if (batch.events.length > 0) {
      try {
        await this.shipper.ship(batch.events, batch.updates);
      } catch (error) {
        // At once: the batches queued behind this one must not move the offsets past it.
        this.fail(error);
        throw error;
      }
    }
    for (const update of batch.updates) this.checkpoints.apply(update);
    await saveOffsets(this.config.stateDir, this.checkpoints.list());
  }

  private fail(error: unknown): void {
    if (this.failure) return;
    this.failure = error instanceof Error ? error : new Error(String(error));
    this.log.error(this.failure.message);
    this.reportFailure(this.failure);
  }

  private async shutDown(): Promise<void> {
    clearInterval(this.statsTimer);
    // A tailer's stop waits for its batch in hand, which waits for the batcher: flush it meanwhile.
    const tailersStopped = Promise.all(this.tailers.map((tailer) => tailer.stop()));
    await this.batcher.flush();
    await tailersStopped;
    await this.batcher.flush();
    await this.shipper.stop();
    await saveOffsets(this.config.stateDir, this.checkpoints.list());
    await this.releaseLock();
    const { sent, dropped } = this.counts;
    this.log.info(
      `stopped: ${sent} lines sent, ${this.buffer.lines} waiting on disk, ${dropped} dropped since start`,
    );
  }

  private logStats(intervalMs: number): void {
    const counts = this.counts;
    const last = this.lastCounts;
    this.lastCounts = counts;
    this.log.info(
      `last ${Math.round(intervalMs / 1000)} s: ${counts.sent - last.sent} lines sent, ` +
        `${counts.buffered - last.buffered} buffered, ${counts.dropped - last.dropped} dropped; ` +
        `on disk ${this.buffer.lines} lines (${this.buffer.bytes} bytes); ` +
        `${counts.dropped} dropped since start`,
    );
  }
}
