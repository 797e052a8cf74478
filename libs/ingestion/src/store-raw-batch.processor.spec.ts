import { Logger } from '@nestjs/common';
import type { LookoutConfig } from '@app/config';
import { JobName } from '@app/queue';
import { DelayedError, type Job } from 'bullmq';
import { register } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { RawBatchStoreService, StoreOutcome } from './raw-batch-store.service';
import { StoreRawBatchProcessor } from './store-raw-batch.processor';

/** One sample of a metric in prom-client's registry (`series`: e.g. `_count` of a histogram). */
async function sample(
  name: string,
  series = '',
  labels: Record<string, string | number> = {},
): Promise<number | undefined> {
  const metric = await register.getSingleMetric(name)!.get();
  // Histograms name each sample (`x_bucket`, `x_sum`); prom-client's types leave that out.
  const values = metric.values as { metricName?: string; labels: object; value: number }[];
  return values.find(
    (candidate) =>
      (candidate.metricName ?? name) === name + series &&
      Object.entries(labels).every(
        ([key, expected]) => (candidate.labels as Record<string, unknown>)[key] === expected,
      ),
  )?.value;
}

const batchesTotal = (outcome: string) => sample('lookout_worker_batches_total', '', { outcome });

describe('StoreRawBatchProcessor metrics', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  let next: () => Promise<StoreOutcome>;
  let processor: StoreRawBatchProcessor;
  const moveToDelayed = jest.fn(async () => undefined);
  const job = (name: string = JobName.StoreRawBatch) =>
    ({ id: 'b1', name, data: { batchId: 'b1', lines: [] }, moveToDelayed }) as unknown as Job;

  beforeEach(() => {
    const store = { storeBatch: () => next() } as unknown as RawBatchStoreService;
    processor = new StoreRawBatchProcessor(
      store,
      { workerConcurrency: 1 } as LookoutConfig,
      {} as DataSource,
    );
  });

  afterEach(() => processor.onApplicationShutdown());

  it('starts every outcome at zero, before any batch', async () => {
    for (const outcome of ['stored', 'duplicate', 'failed', 'requeued'])
      expect(await batchesTotal(outcome)).toBe(0);
  });

  it('observes write and parse time and lines of stored batches; counts duplicates apart', async () => {
    next = async () => ({ stored: true, lines: 120, parseSeconds: 0.004, writeSeconds: 0.03 });
    await processor.process(job(), 'token');
    next = async () => ({ stored: true, lines: 80, parseSeconds: 0.002, writeSeconds: 0.2 });
    await processor.process(job(), 'token');
    next = async () => ({ stored: false, lines: 0, parseSeconds: 0.001, writeSeconds: 0.001 });
    await processor.process(job(), 'token');

    expect(await batchesTotal('stored')).toBe(2);
    expect(await batchesTotal('duplicate')).toBe(1);
    const write = 'lookout_worker_batch_write_seconds';
    expect(await sample(write, '_count')).toBe(2);
    expect(await sample(write, '_sum')).toBeCloseTo(0.23);
    expect(await sample(write, '_bucket', { le: 0.05 })).toBe(1);
    expect(await sample(write, '_bucket', { le: 0.25 })).toBe(2);
    expect(await sample('lookout_worker_batch_parse_seconds', '_count')).toBe(2);
    expect(await sample('lookout_worker_batch_parse_seconds', '_sum')).toBeCloseTo(0.006);
    expect(await sample('lookout_worker_batch_lines', '_count')).toBe(2);
    expect(await sample('lookout_worker_batch_lines', '_sum')).toBe(200);
  });

  it('counts a batch put back because the database cannot write as requeued, not failed', async () => {
    // Pausing needs BullMQ's worker, which this test has no use for.
    Object.assign(processor, { _worker: { pause: async () => undefined } });
    next = async () => {
      throw Object.assign(new Error('could not extend file'), { code: '53100' });
    };
    await expect(processor.process(job(), 'token')).rejects.toBeInstanceOf(DelayedError);
    expect(moveToDelayed).toHaveBeenCalledTimes(1);
    expect(await batchesTotal('requeued')).toBe(1);
    expect(await batchesTotal('failed')).toBe(0);
  });

  it('counts failed attempts as BullMQ reports them', async () => {
    const [failedBefore, requeuedBefore] = [
      await batchesTotal('failed'),
      await batchesTotal('requeued'),
    ];
    next = async () => {
      throw new Error('invalid byte sequence');
    };
    const error = await processor.process(job(), 'token').catch((thrown: Error) => thrown);
    expect(error).toBeInstanceOf(Error);
    processor.onFailed(job(), error as Error);
    expect(await batchesTotal('failed')).toBe(failedBefore! + 1);
    expect(await batchesTotal('requeued')).toBe(requeuedBefore);
  });
});
