import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import { QueueProducer, type RawLine } from '@app/queue';
import { LineBatcher } from './line-batcher';
import { ingestedLines } from './ingest.metrics';

export interface LineOrigin {
  source: string;
  /** Sending host as the transport saw it. */
  host?: string;
}

/**
 * The entrance every source uses: raw lines in, batches on the `ingest-raw` queue out.
 * `accept` resolves once the lines are durable in Redis.
 */
@Injectable()
export class IngestService implements OnApplicationShutdown {
  private readonly batcher: LineBatcher;

  constructor(
    producer: QueueProducer,
    @Inject(LOOKOUT_CONFIG) private readonly config: LookoutConfig,
  ) {
    this.batcher = new LineBatcher({
      maxLines: config.batchMaxLines,
      flushMs: config.batchFlushMs,
      enqueue: (batches) => producer.addRawBatches(batches),
    });
  }

  async accept(texts: string[], origin: LineOrigin, receivedAt = Date.now()): Promise<number> {
    const max = this.config.maxLineLength;
    const lines: RawLine[] = texts.map((raw) =>
      raw.length > max
        ? {
            raw: raw.slice(0, max),
            receivedAt,
            source: origin.source,
            host: origin.host,
            truncatedFrom: raw.length,
          }
        : { raw, receivedAt, source: origin.source, host: origin.host },
    );
    await this.batcher.add(lines);
    ingestedLines.inc({ source: origin.source }, lines.length);
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
