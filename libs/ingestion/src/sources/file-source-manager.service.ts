import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import type { RawLine } from '@app/queue';
import { FileTailer, type TailBatch } from '@app/tailer';
import { hostname } from 'node:os';
import { BackpressureService } from '../backpressure.service';
import { IngestService } from '../ingest.service';
import type { FileSourceSettings } from './file-source-settings';
import type { SourceEntity } from './source.entity';
import { HostTailingLock } from './host-tailing-lock';
import { SourcesService } from './sources.service';

/** Other api processes may change sources: look again this often. */
const RECONCILE_EVERY_MS = 10_000;

interface RunningTailer {
  tailer: FileTailer;
  /** Settings and name the tailer was started with; a change restarts it. */
  fingerprint: string;
}

/**
 * Runs one tailer per enabled `file` source. Lines go to the queue with their byte range in the
 * file; the worker records the ranges in the same transaction as the lines and skips lines it has
 * already stored. A restart resumes after the last stored line: the lines before it are stored or
 * still in the queue (batches reach Redis in file order, each awaited before the next is read),
 * and a line read again is recognised by its range. Tailers pause while the queue is above its
 * high-water mark. Of several api processes on one host, only the holder of the host's tailing
 * lock runs tailers (see HostTailingLock).
 */
@Injectable()
export class FileSourceManager implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FileSourceManager.name);
  private readonly running = new Map<string, RunningTailer>();
  private timer: NodeJS.Timeout | undefined;
  private reconciling: Promise<void> = Promise.resolve();
  private readonly host = hostname();
  private readonly onSourcesChanged = () => void this.reconcile();
  private readonly lock: HostTailingLock;

  constructor(
    private readonly sources: SourcesService,
    private readonly ingest: IngestService,
    private readonly backpressure: BackpressureService,
    @Inject(LOOKOUT_CONFIG) private readonly config: LookoutConfig,
  ) {
    this.lock = new HostTailingLock(config.databaseUrl, this.host, () => void this.reconcile());
  }

  async onApplicationBootstrap(): Promise<void> {
    this.sources.events.on('changed', this.onSourcesChanged);
    this.backpressure.onChange((over) => {
      for (const { tailer } of this.running.values()) {
        if (over) tailer.pause();
        else tailer.resume();
      }
    });
    this.timer = setInterval(() => void this.reconcile(), RECONCILE_EVERY_MS);
    this.timer.unref();
    await this.reconcile();
  }

  async onApplicationShutdown(): Promise<void> {
    this.sources.events.off('changed', this.onSourcesChanged);
    if (this.timer) clearInterval(this.timer);
    await this.reconciling;
    await this.stopAll();
    await this.lock.release();
  }

  /** Starts, restarts and stops tailers to match the enabled file sources. Serialised. */
  reconcile(): Promise<void> {
    this.reconciling = this.reconciling
      .then(() => this.reconcileNow())
      .catch((error: Error) => {
        this.logger.error(`Could not apply file sources: ${error.message}`);
      });
    return this.reconciling;
  }

  private async reconcileNow(): Promise<void> {
    const wanted = new Map(
      (await this.sources.enabledOfType('file')).map((source) => [source.id, source]),
    );
    if (wanted.size === 0 || !(await this.lock.acquire())) {
      // Nothing to tail here, or another api process of this host tails the files.
      await this.stopAll();
      if (wanted.size === 0) await this.lock.release();
      return;
    }
    for (const [id, running] of this.running) {
      const source = wanted.get(id);
      if (!source || fingerprint(source) !== running.fingerprint) {
        await running.tailer.stop();
        this.running.delete(id);
        this.logger.log(`Stopped tailing for source ${source?.name ?? id}`);
      }
    }
    for (const [id, source] of wanted) {
      if (!this.running.has(id)) await this.start(source);
    }
  }

  private async stopAll(): Promise<void> {
    await Promise.all([...this.running.values()].map(({ tailer }) => tailer.stop()));
    this.running.clear();
  }

  private async start(source: SourceEntity): Promise<void> {
    const settings = source.settings as unknown as FileSourceSettings;
    const tailer = new FileTailer({
      include: settings.include,
      exclude: settings.exclude,
      startAt: settings.startAt,
      multiline: settings.multiline && { ...settings.multiline, match: 'continuation' },
      initialCheckpoints: await this.sources.fileOffsets(source.id),
      batchMaxLines: this.config.batchMaxLines,
      maxLineBytes: this.config.maxLineLength,
      onBatch: (batch) => this.store(source, batch),
      onError: (error) => {
        this.logger.error(
          `Tailing for source ${source.name} stopped: ${(error as Error).message}; retrying`,
        );
        this.running.delete(source.id);
        setTimeout(() => void this.reconcile(), 1000).unref();
      },
      onWarning: (message) => this.logger.warn(`Source ${source.name}: ${message}`),
    });
    if (this.backpressure.overHighWater) tailer.pause();
    tailer.start();
    this.running.set(source.id, { tailer, fingerprint: fingerprint(source) });
    this.logger.log(`Tailing ${settings.include.join(', ')} for source ${source.name}`);
  }

  private async store(source: SourceEntity, batch: TailBatch): Promise<void> {
    const receivedAt = Date.now();
    const lines: RawLine[] = batch.lines.map((line) => ({
      raw: line.text,
      receivedAt,
      source: source.name,
      host: this.host,
      truncatedFrom: line.truncatedFrom,
      attributes: { 'log.file.path': line.path },
      checkpoint: {
        sourceId: source.id,
        fileKey: line.fileKey,
        path: line.path,
        start: line.start,
        offset: line.offset,
      },
    }));
    if (lines.length > 0) await this.ingest.acceptLines(lines);
    // Positions that moved without a line (a file first seen at its end, a truncation) are saved
    // directly: no line depends on them.
    const withLines = new Set(batch.lines.map((line) => line.fileKey));
    const lineless = batch.checkpoints.filter((checkpoint) => !withLines.has(checkpoint.fileKey));
    if (lineless.length > 0) await this.sources.saveFileOffsets(source.id, lineless);
  }
}

function fingerprint(source: SourceEntity): string {
  return JSON.stringify([source.name, source.settings]);
}
