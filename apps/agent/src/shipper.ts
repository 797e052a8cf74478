import type { CheckpointUpdate } from '@app/tailer';
import { backoffMs } from './backoff';
import type { DiskBuffer } from './disk-buffer';
import type { IngestClient, ShipEvent } from './ingest-client';
import type { AgentLog } from './log';

/** The server refused the lines for good (bad key, bad request): the agent must stop. */
export class ServerRefusedError extends Error {}

interface SendFailure {
  /** The events not delivered, in order; those before them were. */
  rest: ShipEvent[];
  reason: string;
  retryAfterMs?: number;
}

export interface ShipperOptions {
  client: IngestClient;
  buffer: DiskBuffer;
  retry: { initialMs: number; maxMs: number };
  log: AgentLog;
  /** The server refused buffered lines; they stay on disk. */
  onRefused: (error: ServerRefusedError) => void;
}

/** Lines since start. */
export interface ShipperCounts {
  sent: number;
  buffered: number;
  dropped: number;
}

/**
 * Sends batches straight to the server while it answers and the disk buffer is empty; otherwise
 * puts them in the disk buffer, which a single loop sends oldest first with exponential backoff
 * and full jitter (or the server's Retry-After). A 413 splits a batch in halves.
 */
export class Shipper {
  private sent = 0;
  private buffered = 0;
  /** Single events refused with 413: they can never be delivered. */
  private tooLarge = 0;
  private draining: Promise<void> | undefined;
  private stopping = false;
  private refused = false;
  /** The server failed a request and has not delivered the whole buffer since. */
  private outage = false;
  /** Failed attempts in a row, and when the next may be made. */
  private attempt = 0;
  private retryAt = 0;
  private lastDropWarningAt = -Infinity;
  private wakeUp: (() => void) | undefined;

  constructor(private readonly options: ShipperOptions) {}

  get counts(): ShipperCounts {
    const dropped = this.tooLarge + this.options.buffer.dropped;
    return { sent: this.sent, buffered: this.buffered, dropped };
  }

  /** Sends what an earlier run left in the disk buffer. */
  start(): void {
    this.startDraining();
  }

  /**
   * Resolves once the events are delivered or safely in the disk buffer; rejects with
   * ServerRefusedError if the server refused them.
   */
  async ship(events: ShipEvent[], updates: CheckpointUpdate[]): Promise<void> {
    let rest = events;
    if (this.options.buffer.isEmpty && !this.draining) {
      const failure = await this.send(events);
      if (!failure) return;
      this.delayRetry(failure);
      rest = failure.rest;
    }
    const dropped = await this.options.buffer.append(rest, updates);
    this.buffered += rest.length;
    if (dropped > 0) this.warnDropped(dropped, 'the disk buffer is full');
    this.startDraining();
  }

  /** Ends the send loop after its current request; the disk buffer is kept for the next run. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    await this.draining;
  }

  private startDraining(): void {
    if (this.draining || this.stopping || this.refused || this.options.buffer.isEmpty) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      // A batch may have been buffered while the loop was finding the buffer empty.
      this.startDraining();
    });
  }

  private async drain(): Promise<void> {
    const { buffer, log } = this.options;
    while (!this.stopping) {
      const waitMs = this.retryAt - Date.now();
      if (waitMs > 0) {
        await this.sleep(waitMs);
        continue;
      }
      const batch = await buffer.oldest();
      if (!batch) break;
      let failure: SendFailure | undefined;
      try {
        failure = await this.send(batch.events);
      } catch (error) {
        this.refused = true;
        this.options.onRefused(error as ServerRefusedError);
        return;
      }
      if (!failure) {
        await buffer.remove(batch.seq);
        continue;
      }
      if (failure.rest.length < batch.events.length) {
        await buffer.replace(batch.seq, { events: failure.rest, updates: batch.updates });
      }
      this.delayRetry(failure);
    }
    if (!this.stopping && this.outage) {
      this.outage = false;
      log.info('the server answers again; the disk buffer is sent');
    }
  }

  /** After a failure: Retry-After if the server gave one, else the next backoff step. */
  private delayRetry(failure: SendFailure): void {
    const delayMs = failure.retryAfterMs ?? backoffMs(this.attempt, this.options.retry);
    this.attempt++;
    this.retryAt = Date.now() + delayMs;
    if (this.outage) return;
    this.outage = true;
    this.options.log.warn(
      `cannot deliver (${failure.reason}); buffering on disk until the server answers`,
    );
  }

  /** Sends events, halving a batch the server finds too large; undefined once all are in. */
  private async send(events: ShipEvent[]): Promise<SendFailure | undefined> {
    const pending = [events];
    while (pending.length > 0) {
      const chunk = pending.shift()!;
      if (chunk.length === 0) continue;
      const result = await this.options.client.send(chunk);
      switch (result.kind) {
        case 'accepted':
          this.sent += chunk.length;
          this.attempt = 0;
          break;
        case 'too-large':
          if (chunk.length > 1) {
            const half = Math.ceil(chunk.length / 2);
            pending.unshift(chunk.slice(0, half), chunk.slice(half));
          } else {
            const bytes = Buffer.byteLength(chunk[0].text);
            this.tooLarge++;
            this.warnDropped(1, `the server refuses an event of ${bytes} bytes as too large`);
          }
          break;
        case 'retry':
          return {
            rest: [chunk, ...pending].flat(),
            reason: result.reason,
            retryAfterMs: result.retryAfterMs,
          };
        case 'rejected':
          throw new ServerRefusedError(`the server refused the lines: ${result.reason}`);
      }
    }
    return undefined;
  }

  /** At most one warning a minute: a full buffer drops a batch per batch read. */
  private warnDropped(lines: number, why: string): void {
    if (Date.now() - this.lastDropWarningAt < 60_000) return;
    this.lastDropWarningAt = Date.now();
    const total = this.counts.dropped;
    const what = lines === 1 ? '1 line' : `${lines} lines`;
    this.options.log.warn(`dropped ${what} (${total} since start): ${why}`);
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(wake, ms);
      function wake() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = wake;
    });
  }
}
