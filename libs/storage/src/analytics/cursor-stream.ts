import { Readable } from 'node:stream';

/** Where a CursorReadable gets its rows: a server-side cursor, read a batch at a time. */
export interface RowSource<T> {
  /** The next batch; fewer rows than the batch size means the cursor is exhausted. */
  fetch(): Promise<T[]>;
  /** Called exactly once: after the last batch (no error) or when the stream is destroyed. */
  close(error: Error | null): Promise<void>;
}

export interface CursorReadableOptions<T> {
  batchSize: number;
  /** Turns a batch into bytes of the output format. */
  encode: (rows: T[]) => string;
  /** Written before the first batch (a CSV header). */
  prefix?: string;
  /** A batch fetched already (to answer errors before the response starts). */
  firstBatch?: T[];
  /**
   * If the consumer asks for nothing for this long (a client that stopped reading but keeps the
   * connection), the stream is destroyed so the cursor's connection goes back to the pool.
   */
  stallTimeoutMs: number;
}

/**
 * A byte stream over a cursor that fetches only when the consumer wants more: `_read` is called
 * by Node when the buffer is below its high-water mark, i.e. when the socket keeps up (pipe()
 * respects write() returning false). At most one fetch is in flight. Destroying the stream (the
 * client went away) waits for that fetch, then closes the source with the error.
 */
export class CursorReadable<T> extends Readable {
  private busy = false;
  private fetching: Promise<void> | undefined;
  private sourceClosed = false;
  private stallTimer: NodeJS.Timeout | undefined;
  private pending: T[] | undefined;

  constructor(
    private readonly source: RowSource<T>,
    private readonly options: CursorReadableOptions<T>,
  ) {
    super({ highWaterMark: 64 * 1024 });
    this.pending = options.firstBatch;
    if (options.prefix) this.push(options.prefix);
    this.armStallTimer();
  }

  override _read(): void {
    this.armStallTimer();
    if (this.busy || this.sourceClosed) return;
    this.busy = true;
    this.fetching = this.readBatch();
  }

  /**
   * One batch. `busy` is cleared just before push(): push may make Node ask for more at once (or
   * on the next tick), and that request must start the next fetch, not be dropped.
   */
  private async readBatch(): Promise<void> {
    let rows: T[];
    try {
      rows = this.pending ?? (await this.source.fetch());
      this.pending = undefined;
    } catch (error) {
      this.busy = false;
      this.destroy(error as Error);
      return;
    }
    if (this.destroyed) {
      this.busy = false;
      return;
    }
    if (rows.length < this.options.batchSize) {
      // The last batch: give the connection back before the response ends.
      try {
        await this.closeSource(null);
      } catch (error) {
        this.busy = false;
        this.destroy(error as Error);
        return;
      }
      this.busy = false;
      if (this.destroyed) return;
      if (rows.length > 0) this.push(this.options.encode(rows));
      this.clearStallTimer();
      this.push(null);
      return;
    }
    const chunk = this.options.encode(rows);
    this.busy = false;
    this.push(chunk);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.clearStallTimer();
    const inFlight = this.fetching ?? Promise.resolve();
    void inFlight
      .catch(() => undefined)
      .then(() => this.closeSource(error ?? new Error('export stream destroyed')))
      .then(
        () => callback(error),
        (closeError: Error) => callback(error ?? closeError),
      );
  }

  private async closeSource(error: Error | null): Promise<void> {
    if (this.sourceClosed) return;
    this.sourceClosed = true;
    await this.source.close(error);
  }

  private armStallTimer(): void {
    this.clearStallTimer();
    this.stallTimer = setTimeout(
      () =>
        this.destroy(
          new Error(
            `export stalled: the client read nothing for ${this.options.stallTimeoutMs} ms`,
          ),
        ),
      this.options.stallTimeoutMs,
    );
    this.stallTimer.unref();
  }

  private clearStallTimer(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }
}
