import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import { QueueProducer, type RawLine } from '@app/queue';
import { BackpressureService } from './backpressure.service';
import { ingestedLines } from './ingest.metrics';
import { LineBatcher } from './line-batcher';
import { QueueFullException } from './queue-full.exception';

export interface LineOrigin {
  source: string;
  /** Sending host as the transport saw it. */
  host?: string;
}

/**
 * The entrance every source uses: raw lines in, batches on the `ingest-raw` queue out.
 * `accept` and `acceptLines` resolve once the lines are durable in Redis.
 */
@Injectable()
export class IngestService implements OnApplicationShutdown {
  private readonly batcher: LineBatcher;

  constructor(
    producer: QueueProducer,
    private readonly backpressure: BackpressureService,
    @Inject(LOOKOUT_CONFIG) private readonly config: LookoutConfig,
  ) {
    this.batcher = new LineBatcher({
      maxLines: config.batchMaxLines,
      flushMs: config.batchFlushMs,
      enqueue: (batches) => producer.addRawBatches(batches),
    });
  }

  /** Throws a 429 (QueueFullException) while the queue is above its high-water mark. */
  ensureCapacity(): void {
    if (this.backpressure.overHighWater)
      throw new QueueFullException(this.backpressure.queuedLines);
  }

  /** Plain lines from one origin. */
  accept(texts: string[], origin: LineOrigin, receivedAt = Date.now()): Promise<number> {
    return this.acceptLines(
      texts.map((raw) => ({ raw, receivedAt, source: origin.source, host: origin.host })),
    );
  }

  /**
   * Lines with everything the transport knows (format, event time, labels, file position).
   * Cuts over-long lines and flags them.
   */
  async acceptLines(lines: RawLine[]): Promise<number> {
    const max = this.config.maxLineLength;
    for (const line of lines) {
      if (line.raw.length > max) {
        line.truncatedFrom = line.raw.length;
        line.raw = line.raw.slice(0, max);
      }
    }
    await this.batcher.add(lines);
    const perSource = new Map<string, number>();
    for (const line of lines) perSource.set(line.source, (perSource.get(line.source) ?? 0) + 1);
    for (const [source, count] of perSource) ingestedLines.inc({ source }, count);
    return lines.length;
  }

  /** Lines accepted but not yet enqueued (waiting for their batch to fill). */
  get pendingLines(): number {
    return this.batcher.pendingLines;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.batcher.flush().catch(() => undefined);
  }
}
