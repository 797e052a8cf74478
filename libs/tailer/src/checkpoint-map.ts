import type { Checkpoint, TailBatch } from './tailer.types';

/** What a stored batch changes in a consumer's checkpoints. */
export type CheckpointUpdate = Pick<TailBatch, 'checkpoints' | 'finished'>;

/**
 * The checkpoints a consumer keeps: apply a batch once its lines are durably stored, persist
 * `list()`, and hand that back as `initialCheckpoints` on restart.
 */
export class CheckpointMap {
  private readonly byKey = new Map<string, Checkpoint>();

  constructor(initial: Checkpoint[] = []) {
    this.apply({ checkpoints: initial, finished: [] });
  }

  /** Offsets only move forward, so applying an update twice (say, after a crash) is harmless. */
  apply(update: CheckpointUpdate): void {
    for (const checkpoint of update.checkpoints) {
      const known = this.byKey.get(checkpoint.fileKey);
      if (!known || checkpoint.offset > known.offset)
        this.byKey.set(checkpoint.fileKey, checkpoint);
    }
    for (const fileKey of update.finished) this.byKey.delete(fileKey);
  }

  /** Drops checkpoints no tailer covers any more (the configuration changed). */
  retain(keep: (checkpoint: Checkpoint) => boolean): void {
    for (const [fileKey, checkpoint] of this.byKey) {
      if (!keep(checkpoint)) this.byKey.delete(fileKey);
    }
  }

  list(): Checkpoint[] {
    return [...this.byKey.values()];
  }
}
