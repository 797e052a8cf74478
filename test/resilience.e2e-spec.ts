import { BackpressureService } from '@app/ingestion';
import { QueueName, redisOptionsFromUrl } from '@app/queue';
import { PartitionManager, partitionName } from '@app/storage';
import { createTestEnv, startSystem, waitFor, type TestEnv, type TestSystem } from '@app/testing';
import { Queue } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';

const DAY = 86_400_000;

/**
 * Real faults while lines flow: Lookout's database connections killed with pg_terminate_backend,
 * COPY failing as on a full disk, a read-only database, and a restart after days of downtime.
 * Every accepted line must land exactly once.
 */
describe('resilience (real api + worker, real Postgres faults)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let key: string;
  let db: Client;
  let admin: Client;
  let queue: Queue;

  beforeAll(async () => {
    testEnv = createTestEnv('resilience', {
      QUEUE_HIGH_WATER_LINES: '4000',
      BATCH_MAX_LINES: '500',
    });
    system = await startSystem(testEnv);
    key = await system.createApiKey(await system.login());
    db = new Client({ connectionString: testEnv.databaseUrl, application_name: 'resilience-test' });
    await db.connect();
    admin = new Client({
      connectionString: testEnv.databaseUrl.replace(/\/[^/]+$/, '/postgres'),
      application_name: 'resilience-test',
    });
    await admin.connect();
    queue = new Queue(QueueName.IngestRaw, {
      connection: redisOptionsFromUrl(testEnv.env.REDIS_URL),
      prefix: testEnv.redisPrefix,
    });
  });

  afterAll(async () => {
    await queue?.close();
    await db?.end();
    await admin?.end();
    await system?.close();
    await testEnv?.cleanup();
  });

  const database = () => new URL(testEnv.databaseUrl).pathname.slice(1);

  /** Kills every connection Lookout (api and worker) holds to its database. */
  const killLookoutConnections = async () => {
    const killed = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = $1 AND application_name <> 'resilience-test' AND pid <> pg_backend_pid()`,
      [database()],
    );
    return killed.rowCount ?? 0;
  };

  /** Posts lines as a shipper does: until the api answers 202, retrying on 429, 5xx and resets. */
  const ship = async (source: string, lines: string[], onRefused?: () => void) => {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await fetch(`${system.baseUrl}/api/v1/ingest?source=${source}`, {
          method: 'POST',
          headers: { 'x-api-key': key, 'content-type': 'text/plain' },
          body: lines.join('\n'),
        });
        await response.arrayBuffer();
        if (response.status === 202) return attempt;
        if (response.status === 429) onRefused?.();
        else if (response.status < 500) throw new Error(`ingest answered ${response.status}`);
      } catch (error) {
        if ((error as Error).message.startsWith('ingest answered')) throw error;
      }
      await sleep(50);
    }
  };

  const stored = async (source: string) =>
    (
      await db.query<{ total: number; distinct: number }>(
        `SELECT count(*)::int AS total, count(DISTINCT message)::int AS distinct FROM logs WHERE source = $1`,
        [source],
      )
    ).rows[0];

  const failedJobs = async () => (await queue.getJobCounts('failed')).failed;

  it('connections killed with pg_terminate_backend while lines flow: every line lands once', async () => {
    const requests = 60;
    const perRequest = 200;
    let sent = 0;
    let kills = 0;
    const killer = (async () => {
      // Kill at three points of the traffic, whatever its speed.
      for (const at of [10, 25, 40]) {
        await waitFor(async () => sent >= at, `request ${at}`, 60_000, 5);
        kills += await killLookoutConnections();
      }
    })();
    // Two shippers at once.
    await Promise.all(
      [0, 1].map(async (shipper) => {
        for (let request = shipper; request < requests; request += 2) {
          const lines = Array.from(
            { length: perRequest },
            (_, line) => `killed-connections request ${request} line ${line}`,
          );
          await ship('killed', lines);
          sent++;
        }
      }),
    );
    await killer;
    expect(kills).toBeGreaterThan(0);
    await system.drain(60_000);
    expect(await stored('killed')).toEqual({
      total: requests * perRequest,
      distinct: requests * perRequest,
    });
    expect(await failedJobs()).toBe(0);
  });

  it('COPY failing as on a full disk: the worker pauses, the queue holds the lines, ingest pushes back at the high-water mark; all land once the disk has room', async () => {
    // The error Postgres gives when it cannot extend a file, raised by every write into logs.
    await db.query(`
      CREATE FUNCTION resilience_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'could not extend file "base/1/2": No space left on device' USING ERRCODE = 'disk_full';
      END $$`);
    await db.query(
      `CREATE TRIGGER resilience_disk_full BEFORE INSERT ON logs
         FOR EACH STATEMENT EXECUTE FUNCTION resilience_disk_full()`,
    );
    let accepted = 0;
    let refused = 0;
    const pressure = system.api.get(BackpressureService);
    // The previous test's flood may still be the last thing the pressure gauge saw: look again.
    await pressure.sample();
    try {
      // Ingest keeps accepting until the queue holds QUEUE_HIGH_WATER_LINES (4000) lines.
      for (let request = 0; refused === 0 && request < 40; request++) {
        const lines = Array.from({ length: 500 }, (_, line) => `disk-full ${request} ${line}`);
        const response = await fetch(`${system.baseUrl}/api/v1/ingest?source=diskfull`, {
          method: 'POST',
          headers: { 'x-api-key': key, 'content-type': 'text/plain' },
          body: lines.join('\n'),
        });
        await response.arrayBuffer();
        if (response.status === 202) accepted += 500;
        else if (response.status === 429) {
          refused++;
          expect(response.headers.get('retry-after')).toBeTruthy();
        } else throw new Error(`ingest answered ${response.status}`);
        await pressure.sample();
      }
      expect(refused).toBe(1);
      expect(accepted).toBeGreaterThanOrEqual(4000);
      // Nothing stored, nothing failed: the batches wait in the queue with no attempt used up.
      expect((await stored('diskfull')).total).toBe(0);
      expect(await failedJobs()).toBe(0);
      const waiting = await queue.getJobs(['waiting', 'delayed', 'prioritized']);
      expect(waiting.length).toBeGreaterThan(0);
      expect(waiting.every((job) => job.attemptsMade === 0)).toBe(true);
    } finally {
      await db.query(`DROP TRIGGER IF EXISTS resilience_disk_full ON logs`);
      await db.query(`DROP FUNCTION IF EXISTS resilience_disk_full()`);
    }
    // The disk has room again: the worker's probe succeeds, it resumes and drains the queue.
    await system.drain(90_000);
    expect(await stored('diskfull')).toEqual({ total: accepted, distinct: accepted });
    expect(await failedJobs()).toBe(0);
  });

  it('a read-only database (as after a failover): writes wait, then everything lands once writes work again', async () => {
    await admin.query(`ALTER DATABASE "${database()}" SET default_transaction_read_only = on`);
    // Connections made from now on are read-only.
    await killLookoutConnections();
    const lines = Array.from({ length: 1500 }, (_, line) => `read-only ${line}`);
    try {
      for (let at = 0; at < lines.length; at += 300)
        await ship('readonly', lines.slice(at, at + 300));
      // The worker tried and backed off: nothing stored, nothing failed.
      await waitFor(
        async () =>
          (
            await admin.query(
              `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name <> 'resilience-test'`,
              [database()],
            )
          ).rowCount! > 0,
        'Lookout to reconnect',
      );
      expect((await stored('readonly')).total).toBe(0);
      expect(await failedJobs()).toBe(0);
    } finally {
      await admin.query(`ALTER DATABASE "${database()}" RESET default_transaction_read_only`);
      // Sessions keep the setting they started with: new connections are writable.
      await killLookoutConnections();
    }
    await system.drain(90_000);
    expect(await stored('readonly')).toEqual({ total: 1500, distinct: 1500 });
    expect(await failedJobs()).toBe(0);
  });

  it('a restart after days of downtime: missing partitions are created at start and late lines land in their days', async () => {
    const today = Math.floor(Date.now() / DAY) * DAY;
    await system.close();
    // Down for two days: their partitions were never made.
    for (const day of [1, 2])
      await db.query(`DROP TABLE IF EXISTS ${partitionName(today - day * DAY)}`);
    system = await startSystem(testEnv);
    key = await system.createApiKey(await system.login(), 'after restart');
    for (const day of [1, 2]) {
      const exists = await db.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [
        partitionName(today - day * DAY),
      ]);
      expect(exists.rows[0].ok).toBe(true);
    }
    // A shipper delivers what it buffered meanwhile, and a line from ten days ago.
    const late = [2, 1, 10].map((day) =>
      JSON.stringify({
        '@timestamp': new Date(today - day * DAY + 12 * 3_600_000).toISOString(),
        message: `late line of day -${day}`,
      }),
    );
    const response = await fetch(`${system.baseUrl}/api/v1/ingest?source=late`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/x-ndjson' },
      body: late.join('\n'),
    });
    expect(response.status).toBe(202);
    await system.drain();
    const where = async () =>
      Object.fromEntries(
        (
          await db.query<{ message: string; partition: string }>(
            `SELECT message, tableoid::regclass::text AS partition FROM logs WHERE source = 'late'`,
          )
        ).rows.map((row) => [row.message, row.partition]),
      );
    expect(await where()).toEqual({
      'late line of day -2': partitionName(today - 2 * DAY),
      'late line of day -1': partitionName(today - DAY),
      'late line of day -10': 'logs_default',
    });
    // The hourly maintenance gives the old day a partition and moves its line there.
    await system.worker!.get(PartitionManager).maintain();
    expect((await where())['late line of day -10']).toBe(partitionName(today - 10 * DAY));
    const search = await fetch(
      `${system.baseUrl}/api/v1/logs?source=late&from=${new Date(today - 11 * DAY).toISOString()}`,
      { headers: { 'x-api-key': key } },
    );
    expect(((await search.json()) as { items: unknown[] }).items).toHaveLength(3);
  });
});
