import { Injectable, Logger } from '@nestjs/common';
import type { StoredBatchEvent } from '@app/contracts';

/** Called in the worker after a batch's COPY committed, with the stored lines (ids included). */
export type StoredBatchListener = (event: StoredBatchEvent) => Promise<void>;

/**
 * In-process hand-off of committed batches inside the worker that stored them, so a later stage
 * (alert evaluation) sees every stored line exactly once without a second trip through Redis.
 * Live tail, in other processes, gets the batches over Redis pub/sub instead.
 */
@Injectable()
export class StoredBatchBus {
  private readonly logger = new Logger(StoredBatchBus.name);
  private readonly listeners: { name: string; listener: StoredBatchListener }[] = [];

  subscribe(name: string, listener: StoredBatchListener): void {
    this.listeners.push({ name, listener });
  }

  get hasListeners(): boolean {
    return this.listeners.length > 0;
  }

  /** Runs every listener; one failing is logged and does not stop the others (the batch is stored). */
  async publish(event: StoredBatchEvent): Promise<void> {
    await Promise.all(
      this.listeners.map(({ name, listener }) =>
        listener(event).catch((error: Error) =>
          this.logger.error(
            `Listener "${name}" failed on batch ${event.batchId}: ${error.message}`,
          ),
        ),
      ),
    );
  }
}
