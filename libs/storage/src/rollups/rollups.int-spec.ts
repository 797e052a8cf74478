import { Test, type TestingModule } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { ConfigModule } from '@app/config';
import type { AggregateMetric } from '@app/contracts';
import { createTestEnv, type TestEnv } from '@app/testing';
import type { DataSource } from 'typeorm';
import { LogAnalyticsService } from '../analytics/log-analytics.service';
import { ReadTransactions } from '../analytics/read-transaction.service';
import { resolveInterval } from '../analytics/intervals';
import type { LogFilter } from '../log-filter';
import type { NewLogRow } from '../log-row';
import { LogWriter } from '../log-writer.service';
import { PartitionManager } from '../partition-manager.service';
import { parseQuery } from '../query';
import { StorageModule } from '../storage.module';
import { LATENCY_BOUNDS, latencyBucket } from './rollup-columns';
import { deleteRollups, rebuildRollups } from './rollup-maintenance';

const M = 60_000;
const H = 3_600_000;
/** A day no partition covers: the lines wait in logs_default, which rollups do not care about. */
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

/** A small deterministic generator (the same lines on every run). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function lines(seed: number, count: number, from: number, span: number): NewLogRow[] {
  const next = random(seed);
  const pick = <T>(values: T[]): T => values[Math.floor(next() * values.length)];
  return Array.from({ length: count }, (_, i) => {
    // Some lines exactly on a minute or hour boundary, the rest anywhere (with microseconds).
    const ts =
      i % 17 === 0
        ? from + Math.floor((next() * span) / M) * M
        : from + Math.floor(next() * span * 1000) / 1000;
    const latency = pick([null, 0, 0.3, 0.5, 1, 7.25, 42, 120, 999.9, 1000, 4321, 250_000, 1e6]);
    return {
      ts,
      receivedAt: ts,
      level: pick([0, 2, 3, 3, 4, 6, 6, 6, 7]),
      source: pick(['nginx', 'app', 'db']),
      host: pick(['web-1', 'web-2', null]),
      message: `line ${seed}-${i}`,
      raw: `line ${seed}-${i}`,
      statusCode: pick([200, 200, 201, 404, 500, 503, null]),
      method: pick(['GET', 'POST', 'get', null]),
      path: pick(['/api/orders', '/api/users', '/login', null]),
      latencyMs: latency === null ? null : latency + next(),
      fields: {},
      parseError: null,
    };
  });
}

describe('rollups (real Postgres): the same counts as the lines', () => {
  let testEnv: TestEnv;
  let moduleRef: TestingModule;
  let writer: LogWriter;
  let analytics: LogAnalyticsService;
  let partitions: PartitionManager;
  let dataSource: DataSource;

  beforeAll(async () => {
    testEnv = createTestEnv('rollups', { PARTITION_DAYS_AHEAD: '1' });
    moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(testEnv.env), StorageModule],
      providers: [LogAnalyticsService, ReadTransactions],
    }).compile();
    await moduleRef.init();
    writer = moduleRef.get(LogWriter);
    analytics = moduleRef.get(LogAnalyticsService);
    partitions = moduleRef.get(PartitionManager);
    dataSource = moduleRef.get(getDataSourceToken());

    // 3 h 40 min of lines in batches; compacted half-way, so partial, compacted and hourly rows mix.
    for (let batch = 0; batch < 24; batch++) {
      await writer.writeBatch(`rollup-${batch}`, lines(batch + 1, 250, T0 + 10 * M, 220 * M));
      if (batch === 12) expect(await partitions.compactRollups()).toBeGreaterThan(0);
    }
  }, 120_000);

  afterAll(async () => {
    await moduleRef?.close();
    await testEnv?.cleanup();
  });

  const ranges: [string, number, number][] = [
    ['unaligned, hours inside', T0 + 10 * M + 30_500, T0 + 3 * H + 40 * M + 10],
    ['whole hours', T0, T0 + 4 * H],
    ['one hour', T0 + H, T0 + 2 * H],
    ['inside a minute', T0 + 75 * M + 20_000, T0 + 75 * M + 40_000],
    ['minutes only', T0 + 61 * M, T0 + 119 * M],
  ];
  const queries = [
    null,
    'level:error',
    'source:nginx -host:web-1',
    'status:>=500 OR path:/api/*',
    'method:get host:*',
    'NOT status:*',
  ];
  const filters = (): [string, LogFilter][] =>
    ranges.flatMap(([range, from, to]) =>
      queries.map((query): [string, LogFilter] => [
        `${range}, ${query ?? 'no query'}`,
        {
          from: new Date(from),
          to: new Date(to),
          levels: query === 'level:error' ? [0, 1, 2, 3] : undefined,
          sources: query === null ? ['nginx', 'app', 'db'] : undefined,
          query: query === null || query === 'level:error' ? null : parseQuery(query),
        },
      ]),
    );

  /** The result read from rollups and from the lines, with exact percentiles turned off. */
  async function bothWays<T>(read: () => Promise<T>): Promise<{ rollups: T; lines: T }> {
    analytics.exactPercentileMaxLines = 0;
    analytics.useRollups = true;
    try {
      const rollups = await read();
      analytics.useRollups = false;
      return { rollups, lines: await read() };
    } finally {
      analytics.useRollups = true;
      analytics.exactPercentileMaxLines = 100_000;
    }
  }

  async function expectSameCounts(): Promise<void> {
    for (const [name, filter] of filters()) {
      for (const interval of ['1m', '5m', '1h']) {
        const bucket = resolveInterval(interval, filter.to.getTime() - filter.from.getTime());
        for (const split of [false, true]) {
          const { rollups, lines } = await bothWays(() =>
            analytics.histogram(filter, bucket, split),
          );
          expect({ name, interval, split, result: rollups }).toEqual({
            name,
            interval,
            split,
            result: lines,
          });
        }
        const traffic = await bothWays(() => analytics.traffic(filter, bucket));
        expect({ name, interval, traffic: traffic.rollups }).toEqual({
          name,
          interval,
          traffic: traffic.lines,
        });
      }
      const summary = await bothWays(() => analytics.summary(filter));
      expect({ name, summary: summary.rollups }).toEqual({ name, summary: summary.lines });
      for (const groupBy of ['path', 'host', 'source', 'level', 'method', 'status']) {
        for (const metric of ['count', 'rate'] as AggregateMetric[]) {
          const result = await bothWays(() =>
            analytics.aggregate(filter, { groupBy, metric, field: 'latency_ms', limit: 100 }),
          );
          expect({ name, groupBy, metric, result: result.rollups }).toEqual({
            name,
            groupBy,
            metric,
            result: result.lines,
          });
        }
      }
    }
  }

  it('counts what the lines count: histograms, traffic, summary, group-bys', async () => {
    await expectSameCounts();
  }, 300_000);

  it('averages exactly and interpolates percentiles within a bucket of the exact value', async () => {
    for (const [name, filter] of filters()) {
      for (const metric of ['avg', 'p50', 'p95', 'p99'] as AggregateMetric[]) {
        const { rollups, lines } = await bothWays(() =>
          analytics.aggregate(filter, { groupBy: 'path', metric, field: 'latency_ms', limit: 10 }),
        );
        const exact = new Map(lines.groups.map((group) => [group.key, group]));
        expect({ name, metric, keys: rollups.groups.map((g) => g.key).sort() }).toEqual({
          name,
          metric,
          keys: [...exact.keys()].sort(),
        });
        for (const group of rollups.groups) {
          const truth = exact.get(group.key)!;
          expect({ name, metric, key: group.key, count: group.count }).toEqual({
            name,
            metric,
            key: group.key,
            count: truth.count,
          });
          if (metric === 'avg') expect(group.value).toBeCloseTo(truth.value, 6);
          else expectNearBucket(group.value, truth.value);
        }
      }
      const { rollups, lines } = await bothWays(() => analytics.slowestEndpoints(filter, 10));
      expect(rollups.endpoints.map((e) => [e.path, e.count]).sort()).toEqual(
        lines.endpoints.map((e) => [e.path, e.count]).sort(),
      );
      for (const endpoint of rollups.endpoints) {
        const truth = lines.endpoints.find((e) => e.path === endpoint.path)!;
        expect(endpoint.avgMs).toBeCloseTo(truth.avgMs, 6);
        expectNearBucket(endpoint.p50Ms, truth.p50Ms);
        expectNearBucket(endpoint.p95Ms, truth.p95Ms);
        expectNearBucket(endpoint.p99Ms, truth.p99Ms);
      }
    }
  }, 300_000);

  it('computes the rollup rows of a batch as log_rollup_rows() does from the stored lines', async () => {
    await partitions.compactRollups();
    const columns = `bucket, source, level, host, status_code, method, path, lines, latency_count,
      round(latency_sum::numeric, 6) AS latency_sum, latency_min, latency_max,
      h00, h01, h05, h10, h20, h30, h40, h46, h47`;
    const stored = await dataSource.query(
      `SELECT ${columns} FROM log_rollups ORDER BY 1, 2, 3, 4, 5, 6, 7`,
    );
    const computed = await dataSource.query(
      `SELECT ${columns} FROM log_rollup_rows('-infinity', 'infinity') ORDER BY 1, 2, 3, 4, 5, 6, 7`,
    );
    expect(stored.length).toBeGreaterThan(100);
    expect(stored).toEqual(computed);
    // Compaction left one row per minute and dimensions, and the hourly rows add up to them.
    const [{ partial }] = await dataSource.query(
      `SELECT count(*)::int AS partial FROM log_rollups WHERE partial`,
    );
    expect(partial).toBe(0);
    const byHour = `SELECT date_bin('1 hour', bucket, '2000-01-03'), source, level, host, status_code,
        method, path, sum(lines)::int AS lines, sum(h20)::int AS h20 FROM %s
      GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7`;
    expect(await dataSource.query(byHour.replace('%s', 'log_rollups_hourly'))).toEqual(
      await dataSource.query(byHour.replace('%s', 'log_rollups')),
    );
  });

  it('puts a latency in the bucket log_latency_bucket() puts it in', async () => {
    const values = [-1, 0, 0.4999, ...LATENCY_BOUNDS.flatMap((b) => [b - 1e-9, b, b + 1e-9]), 1e9];
    const rows: { bucket: number }[] = await dataSource.query(
      `SELECT log_latency_bucket(v) AS bucket FROM unnest($1::float8[]) WITH ORDINALITY AS t(v, i) ORDER BY i`,
      [values],
    );
    expect(rows.map((row) => row.bucket)).toEqual(values.map(latencyBucket));
  });

  it('forgets the rollups of deleted lines (bounds anywhere in a minute) and of a dropped day', async () => {
    // Retention deletes a source's lines older than a cut, then calls deleteRollups.
    const from = new Date(T0 + 30 * M + 12_345);
    const to = new Date(T0 + 2 * H + 7 * M + 999);
    await dataSource.query(`DELETE FROM logs WHERE source = 'db' AND ts >= $1 AND ts < $2`, [
      from,
      to,
    ]);
    await deleteRollups(dataSource, { from, to, source: 'db' });
    // And all lines of the last hour, inside a transaction (as a partition drop would).
    await dataSource.transaction(async (manager) => {
      await manager.query(`DELETE FROM logs WHERE ts >= $1 AND ts < $2`, [
        new Date(T0 + 3 * H),
        new Date(T0 + 4 * H),
      ]);
      await deleteRollups(manager, { from: new Date(T0 + 3 * H), to: new Date(T0 + 4 * H) });
    });
    await expectSameCounts();
  }, 300_000);

  it('rebuilds the rollups of lines written without the worker', async () => {
    await dataSource.query(
      `INSERT INTO logs (ts, received_at, level, source, host, message, status_code, path, latency_ms)
       SELECT $1::timestamptz + i * interval '7 seconds' + interval '0.5 ms', now(), i % 8, 'restored',
              'web-' || (i % 3), 'restored line ' || i, 200 + (i % 4), '/api/orders', i * 1.5
         FROM generate_series(0, 1999) AS i`,
      [new Date(T0 + 20 * M)],
    );
    await rebuildRollups(dataSource, {
      from: new Date(T0 + 20 * M),
      to: new Date(T0 + 20 * M + 2000 * 7000),
    });
    await expectSameCounts();
  }, 300_000);
});

/** An interpolated percentile lies in the latency bucket of the exact one, or in a neighbour. */
function expectNearBucket(estimate: number, exact: number): void {
  const near = Math.abs(latencyBucket(estimate) - latencyBucket(exact)) <= 1;
  expect({ estimate, exact, near }).toEqual({ estimate, exact, near: true });
}
