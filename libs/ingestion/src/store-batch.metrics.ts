import { Counter, Histogram } from 'prom-client';
import type { StoreOutcome } from './raw-batch-store.service';

/**
 * What became of one `ingest-raw` job in this worker: stored, already stored (a retry after a
 * crash), failed (an attempt BullMQ will retry or give up on), or put back in the queue because the
 * database could not write (no attempt used).
 */
export type BatchOutcome = 'stored' | 'duplicate' | 'failed' | 'requeued';

const OUTCOMES: BatchOutcome[] = ['stored', 'duplicate', 'failed', 'requeued'];

/** Dense between 5 and 500 ms, where a healthy COPY of a batch lands; up to 10 s for a slow disk. */
const WRITE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 0.75, 1, 2.5, 5, 10];
const PARSE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Up to BATCH_MAX_LINES' largest value. */
const LINE_BUCKETS = [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 25_000, 50_000, 100_000];

/**
 * Per worker process, in prom-client's global registry under `lookout_worker_` (the prefix the
 * worker's own /metrics endpoint serves). Created by the first processor rather than when the
 * module loads, so the api process, which imports this lib but stores nothing, does not export
 * empty worker histograms; several workers in one process (tests) share them.
 */
export class StoreBatchMetrics {
  private static instance: StoreBatchMetrics | undefined;

  static get(): StoreBatchMetrics {
    return (this.instance ??= new StoreBatchMetrics());
  }

  private readonly batches = new Counter({
    name: 'lookout_worker_batches_total',
    help: 'Ingest batches handled by this worker, by outcome: stored, duplicate (stored before), failed (attempt failed), requeued (database unavailable, no attempt used)',
    labelNames: ['outcome'] as const,
  });

  private readonly writeSeconds = new Histogram({
    name: 'lookout_worker_batch_write_seconds',
    help: 'Per stored batch: the storing transaction (connection from the pool, ledger row, COPY of lines and rollups, commit)',
    buckets: WRITE_BUCKETS,
  });

  private readonly parseSeconds = new Histogram({
    name: 'lookout_worker_batch_parse_seconds',
    help: "Per stored batch: parsing its lines (sources' pipelines or built-in formats)",
    buckets: PARSE_BUCKETS,
  });

  private readonly lines = new Histogram({
    name: 'lookout_worker_batch_lines',
    help: 'Per stored batch: lines written (rate of _sum: lines stored per second by this worker)',
    buckets: LINE_BUCKETS,
  });

  private constructor() {
    // Every outcome present from the start, so rate() and increase() see the first one.
    for (const outcome of OUTCOMES) this.batches.inc({ outcome }, 0);
  }

  /** A batch the store service finished with: stored now, or found already stored. */
  recordDone(outcome: StoreOutcome): void {
    if (!outcome.stored) {
      this.batches.inc({ outcome: 'duplicate' });
      return;
    }
    this.batches.inc({ outcome: 'stored' });
    this.writeSeconds.observe(outcome.writeSeconds);
    this.parseSeconds.observe(outcome.parseSeconds);
    this.lines.observe(outcome.lines);
  }

  count(outcome: 'failed' | 'requeued'): void {
    this.batches.inc({ outcome });
  }
}
