import type { CheckpointUpdate } from '@app/tailer';
import type { ShipEvent } from './ingest-client';

export interface OutgoingBatch {
  events: ShipEvent[];
  /** The checkpoints to apply once these events are delivered or buffered. */
  updates: CheckpointUpdate[];
}

interface Waiting {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function waiting(): Waiting {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A batch cut while nobody waits on it must not fail as an unhandled rejection.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

export interface EventBatcherOptions {
  maxLines: number;
  flushMs: number;
  /** Called for one batch at a time, in order. */
  deliver: (batch: OutgoingBatch) => Promise<void>;
}

/**
 * Gathers events from the tailers into batches of up to `maxLines`, cut when full or `flushMs`
 * after the first event. `add` resolves when the batch holding the last of its events is
 * delivered, which is also when its checkpoints may be applied.
 */
export class EventBatcher {
  private events: ShipEvent[] = [];
  private updates: CheckpointUpdate[] = [];
  private waiting = waiting();
  private timer: NodeJS.Timeout | undefined;
  private delivered: Promise<void> = Promise.resolve();

  constructor(private readonly options: EventBatcherOptions) {}

  add(events: ShipEvent[], update: CheckpointUpdate): Promise<void> {
    events.forEach((event, index) => {
      this.events.push(event);
      // The batch that takes the last event takes the update too, so it is cut below.
      if (this.events.length >= this.options.maxLines && index < events.length - 1) this.cut();
    });
    this.updates.push(update);
    const { promise } = this.waiting;
    // A full batch goes now; so does a lone update, which only has to follow the batches before it.
    if (this.events.length >= this.options.maxLines || this.events.length === 0) this.cut();
    else this.timer ??= setTimeout(() => this.cut(), this.options.flushMs);
    return promise;
  }

  /** Cuts what is gathered; resolves when every batch cut so far has been handled. */
  flush(): Promise<void> {
    if (this.events.length > 0 || this.updates.length > 0) this.cut();
    return this.delivered;
  }

  private cut(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch: OutgoingBatch = { events: this.events, updates: this.updates };
    const { resolve, reject } = this.waiting;
    this.events = [];
    this.updates = [];
    this.waiting = waiting();
    this.delivered = this.delivered.then(() => this.options.deliver(batch)).then(resolve, reject);
  }
}
