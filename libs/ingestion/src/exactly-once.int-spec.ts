import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { ConfigModule } from '@app/config';
import {
  JobName,
  QueueModule,
  QueueName,
  QueueProducer,
  RedisService,
  redisOptionsFromUrl,
  type RawBatchPayload,
} from '@app/queue';
import { StorageModule } from '@app/storage';
import { createTestEnv, waitFor, type TestEnv } from '@app/testing';
import { Queue, Worker, type Job } from 'bullmq';
import type { DataSource } from 'typeorm';
import { GrokPatternEntity, PipelineEntity } from './pipelines/pipeline.entity';
import { PipelineRegistry } from './pipelines/pipeline-registry.service';
import { RawBatchStoreService } from './raw-batch-store.service';

/**
 * A worker can die after its COPY committed but before BullMQ heard the job was done. BullMQ then
 * runs the job again; the batch ledger must turn that second run into a no-op.
 */
describe('exactly-once storage across a worker crash (real Postgres and Redis)', () => {
  let testEnv: TestEnv;
  let moduleRef: TestingModule;
  let store: RawBatchStoreService;
  let dataSource: DataSource;
  const closers: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    testEnv = createTestEnv('exactly_once');
    moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(testEnv.env),
        QueueModule,
        StorageModule,
        TypeOrmModule.forFeature([PipelineEntity, GrokPatternEntity]),
      ],
      providers: [RawBatchStoreService, PipelineRegistry],
    }).compile();
    await moduleRef.init();
    store = moduleRef.get(RawBatchStoreService);
    dataSource = moduleRef.get(getDataSourceToken());
  });

  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await moduleRef?.close();
    await testEnv?.cleanup();
  });

  const connection = () => redisOptionsFromUrl(testEnv.env.REDIS_URL);
  const batch = (batchId: string, count: number): RawBatchPayload => ({
    batchId,
    lines: Array.from({ length: count }, (_, i) => ({
      raw: JSON.stringify({ msg: `${batchId} line ${i}`, seq: i }),
      receivedAt: Date.now(),
      source: batchId,
    })),
  });
  const storedCount = async (source: string) =>
    Number(
      (await dataSource.query('SELECT count(*) AS n FROM logs WHERE source = $1', [source]))[0].n,
    );

  it('a job that fails after its commit is retried and stores nothing twice', async () => {
    await moduleRef.get(QueueProducer).addRawBatches([batch('crash-after-commit', 500)]);
    let attempts = 0;
    const outcomes: boolean[] = [];
    const worker = new Worker(
      QueueName.IngestRaw,
      async (job: Job<RawBatchPayload>) => {
        attempts++;
        const outcome = await store.storeBatch(job.data);
        outcomes.push(outcome.stored);
        // The process "dies" here on the first attempt: committed, never acknowledged.
        if (attempts === 1)
          throw new Error('simulated crash between COPY commit and acknowledgement');
        return outcome;
      },
      // A short stalled interval here too: BullMQ keeps the last worker's interval in Redis.
      {
        connection: connection(),
        prefix: testEnv.redisPrefix,
        stalledInterval: 500,
        settings: { backoffStrategy: () => 50 },
      },
    );
    await waitFor(
      async () => attempts >= 2 && (await moduleRef.get(QueueProducer).pendingJobs()) === 0,
      'the retry',
    );
    await worker.close();
    expect(outcomes).toEqual([true, false]);
    expect(await storedCount('crash-after-commit')).toBe(500);
    const stats = await moduleRef
      .get(RedisService)
      .client.hgetall(moduleRef.get(RedisService).key('stats:pipeline'));
    expect(stats.batches_duplicate).toBe('1');
  });

  it('a worker killed mid-job (lock lost, job stalled) hands the job to another worker without duplicates', async () => {
    const queue = new Queue(QueueName.IngestRaw, {
      connection: connection(),
      prefix: testEnv.redisPrefix,
    });
    closers.push(() => queue.close());
    await queue.add(JobName.StoreRawBatch, batch('killed-worker', 300), {
      jobId: 'killed-worker',
      attempts: 5,
    });

    let committed = false;
    // Worker A commits the batch, then hangs forever as a process frozen or killed with -9 would.
    const workerA = new Worker(
      QueueName.IngestRaw,
      async (job: Job<RawBatchPayload>) => {
        await store.storeBatch(job.data);
        committed = true;
        await new Promise(() => undefined);
      },
      {
        connection: connection(),
        prefix: testEnv.redisPrefix,
        lockDuration: 1000,
        stalledInterval: 500,
      },
    );
    await waitFor(async () => committed, 'worker A to commit');
    // Kill A: stop it without finishing the job; its lock is no longer renewed.
    await workerA.close(true);

    let secondRuns = 0;
    const workerB = new Worker(
      QueueName.IngestRaw,
      async (job: Job<RawBatchPayload>) => {
        secondRuns++;
        return store.storeBatch(job.data);
      },
      {
        connection: connection(),
        prefix: testEnv.redisPrefix,
        lockDuration: 1000,
        stalledInterval: 500,
      },
    );
    closers.push(() => workerB.close());
    await waitFor(
      async () => (await queue.getJobState('killed-worker')) === 'completed',
      'the stalled job to be re-run',
    );
    expect(secondRuns).toBe(1);
    expect(await storedCount('killed-worker')).toBe(300);
  });
});
