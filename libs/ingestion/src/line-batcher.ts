import { randomUUID } from 'node:crypto';
import type { RawBatchPayload, RawLine } from '@app/queue';

interface PendingFlush {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function pendingFlush(): PendingFlush {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export interface LineBatcherOptions {
  /** A batch is cut as soon as it holds this many lines. */
  maxLines: number;
  /**
   * Lines never wait longer than this for a batch to fill. After a quiet spell (no line for this
   * long) the next lines go at once: waiting would only add latency, as no other lines are coming.
   */
  flushMs: number;
  /** Puts batches on the queue; resolves once they are durable. */
  enqueue: (batches: RawBatchPayload[]) => Promise<void>;
  newBatchId?: () => string;
}

/**
 * Gathers lines from many small requests (or connections) into batches of up to `maxLines`,
 * flushed at `maxLines` or after `flushMs`, whichever comes first — except that the first lines
 * after a quiet spell of `flushMs` are flushed at once (with whatever arrives in the same turn of
 * the event loop): a lone line is searchable sooner, and busy traffic is still batched. `add`
 * resolves only when the batch holding those lines is on the queue, so a caller never acknowledges
 * what is not durable.
 */
export class LineBatcher {
  private lines: RawLine[] = [];
  private waiting: PendingFlush = pendingFlush();
  private timer: NodeJS.Timeout | undefined;
  private readonly newBatchId: () => string;
  /** Lines handed to `add` whose batch is not enqueued yet. */
  private inFlight = 0;
  /** When `add` was last called (ms since the epoch). */
  private lastAddAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: LineBatcherOptions) {
    this.newBatchId = options.newBatchId ?? randomUUID;
  }

  add(lines: RawLine[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    for (const line of lines) this.lines.push(line);
    this.inFlight += lines.length;
    const { promise } = this.waiting;
    const now = Date.now();
    const afterQuietSpell = now - this.lastAddAt >= this.options.flushMs;
    this.lastAddAt = now;
    if (this.lines.length >= this.options.maxLines) {
      this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), afterQuietSpell ? 0 : this.options.flushMs);
    }
    return promise;
  }

  /** Lines accepted by `add` but not yet on the queue. */
  get pendingLines(): number {
    return this.inFlight;
  }

  /** Sends whatever is gathered now; resolves when it is enqueued. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const lines = this.lines;
    const waiting = this.waiting;
    if (lines.length === 0) return Promise.resolve();
    this.lines = [];
    this.waiting = pendingFlush();

    const batches: RawBatchPayload[] = [];
    for (let start = 0; start < lines.length; start += this.options.maxLines) {
      batches.push({
        batchId: this.newBatchId(),
        lines: lines.slice(start, start + this.options.maxLines),
      });
    }
    this.options
      .enqueue(batches)
      .then(waiting.resolve, waiting.reject)
      .finally(() => {
        this.inFlight -= lines.length;
      });
    return waiting.promise;
  }
}
