import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import { QueueProducer } from '@app/queue';
import { Gauge } from 'prom-client';

const SAMPLE_EVERY_MS = 250;

const queuedLinesGauge = new Gauge({
  name: 'lookout_queue_lines_estimate',
  help: 'Lines waiting in the ingest queue (estimate from job counts and mean batch size)',
  // Every api process reads the same queue: with API_PROCESSES > 1 one value, not their sum.
  aggregator: 'max',
});

export type PressureListener = (overHighWater: boolean) => void;

/**
 * Watches how many lines wait in the queue. Above QUEUE_HIGH_WATER_LINES every source pushes back
 * (HTTP answers 429, TCP syslog stops reading, file tail pauses) until the queue falls below 80%
 * of the mark. Nothing already accepted is dropped: pushing back only slows the senders.
 */
@Injectable()
export class BackpressureService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(BackpressureService.name);
  private timer: NodeJS.Timeout | undefined;
  private over = false;
  private readonly listeners = new Set<PressureListener>();
  queuedLines = 0;

  constructor(
    private readonly producer: QueueProducer,
    @Inject(LOOKOUT_CONFIG) private readonly config: LookoutConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.sample(), SAMPLE_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  get overHighWater(): boolean {
    return this.over;
  }

  /** Called with true when sources must pause and false when they may resume. */
  onChange(listener: PressureListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Re-reads the queue depth now (also used by tests). */
  async sample(): Promise<void> {
    try {
      this.queuedLines = await this.producer.pendingLinesEstimate();
    } catch {
      return; // Redis unreachable: enqueueing fails on its own, with a clear error.
    }
    queuedLinesGauge.set(this.queuedLines);
    const mark = this.config.queueHighWaterLines;
    const next = this.over ? this.queuedLines > mark * 0.8 : this.queuedLines >= mark;
    if (next === this.over) return;
    this.over = next;
    this.logger.warn(
      next
        ? `Queue above high-water mark (${this.queuedLines} ≥ ${mark} lines): sources pushing back`
        : `Queue back under ${Math.round(mark * 0.8)} lines: sources resume`,
    );
    for (const listener of this.listeners) listener(next);
  }
}
