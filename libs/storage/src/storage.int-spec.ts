import { Test, type TestingModule } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { ConfigModule } from '@app/config';
import { createTestEnv, type TestEnv } from '@app/testing';
import type { DataSource } from 'typeorm';
import { LogSearchService } from './log-search.service';
import { parseQuery } from './query';
import { LogWriter } from './log-writer.service';
import type { NewLogRow } from './log-row';
import { PartitionManager, partitionName, utcDayStart } from './partition-manager.service';
import { StorageModule } from './storage.module';

const DAY = 86_400_000;

function row(message: string, overrides: Partial<NewLogRow> = {}): NewLogRow {
  const now = Date.now();
  return {
    ts: now,
    receivedAt: now,
    level: 6,
    source: 'int-test',
    host: 'host-a',
    message,
    raw: message,
    statusCode: null,
    method: null,
    path: null,
    latencyMs: null,
    fields: {},
    parseError: null,
    ...overrides,
  };
}

describe('storage (real Postgres)', () => {
  let testEnv: TestEnv;
  let moduleRef: TestingModule;
  let writer: LogWriter;
  let search: LogSearchService;
  let partitions: PartitionManager;
  let dataSource: DataSource;

  beforeAll(async () => {
    testEnv = createTestEnv('storage');
    moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(testEnv.env), StorageModule],
    }).compile();
    await moduleRef.init();
    writer = moduleRef.get(LogWriter);
    search = moduleRef.get(LogSearchService);
    partitions = moduleRef.get(PartitionManager);
    dataSource = moduleRef.get(getDataSourceToken());
  });

  afterAll(async () => {
    await moduleRef?.close();
    await testEnv?.cleanup();
  });

  it('creates the database, runs migrations and prepares daily partitions around today', async () => {
    const names = async () => (await partitions.list()).map((partition) => partition.name);
    const today = utcDayStart(Date.now());
    // At start, the days written to now; the scheduled maintenance adds the days further ahead.
    expect(await names()).toContain('logs_default');
    expect(await names()).toContain(partitionName(today));
    expect(await names()).toContain(partitionName(today - 3 * DAY));
    expect(await names()).toContain(partitionName(today + DAY));
    await partitions.maintain();
    expect(await names()).toContain(partitionName(today + 7 * DAY));
  });

  it('writes a batch once: the same batch id again writes nothing', async () => {
    const rows = [row('exactly once 1'), row('exactly once 2'), row('exactly once 3')];
    const first = await writer.writeBatch('batch-once', rows);
    const second = await writer.writeBatch('batch-once', rows);
    expect(first.stored).toBe(true);
    expect(first.logs.map((log) => log.message)).toEqual([
      'exactly once 1',
      'exactly once 2',
      'exactly once 3',
    ]);
    expect(second).toEqual({ stored: false, logs: [] });
    const stored = await dataSource.query(
      `SELECT count(*)::int AS n FROM logs WHERE message LIKE 'exactly once %'`,
    );
    expect(stored[0].n).toBe(3);
    const ledger = await dataSource.query(
      `SELECT line_count FROM ingest_batches WHERE batch_id = 'batch-once'`,
    );
    expect(ledger).toEqual([{ line_count: 3 }]);
  });

  it('keeps two concurrent writers of the same batch to one copy', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => row(`race ${i}`));
    const results = await Promise.all([
      writer.writeBatch('batch-race', rows),
      writer.writeBatch('batch-race', rows),
    ]);
    expect(results.filter((result) => result.stored)).toHaveLength(1);
    const stored = await dataSource.query(
      `SELECT count(*)::int AS n FROM logs WHERE message LIKE 'race %'`,
    );
    expect(stored[0].n).toBe(200);
  });

  it('round-trips hostile text: tabs, newlines, backslashes, NUL, emoji, lone surrogates', async () => {
    const message = 'tab\there\nnew line \\ backslash \\N not null 😀 ü';
    const result = await writer.writeBatch('batch-hostile', [
      row(message, {
        raw: `RAW ${message}\0`,
        fields: { nested: 'a\tb', nul: 'x\0y', lone: 'q\uD800' },
      }),
    ]);
    const stored = await search.findById(result.logs[0].id);
    expect(stored?.message).toBe(message);
    expect(stored?.raw).toBe(`RAW ${message}`);
    expect(stored?.fields).toEqual({ nested: 'a\tb', nul: 'x\uFFFDy', lone: 'q\uFFFD' });
  });

  it('stores lines from 1970 and 2099 in the default partition, never rejecting them', async () => {
    const result = await writer.writeBatch('batch-far', [
      row('from 1970', { ts: Date.UTC(1970, 0, 1, 0, 0, 1) }),
      row('from 2099', { ts: Date.UTC(2099, 5, 1) }),
    ]);
    expect(result.stored).toBe(true);
    const rows = await dataSource.query(
      `SELECT message, tableoid::regclass::text AS partition FROM logs WHERE message LIKE 'from %' ORDER BY ts`,
    );
    expect(rows).toEqual([
      { message: 'from 1970', partition: 'logs_default' },
      { message: 'from 2099', partition: 'logs_default' },
    ]);
    const found = await search.search({ query: parseQuery('1970'), limit: 10 });
    expect(found.items.map((item) => item.ts)).toEqual(['1970-01-01T00:00:01.000000Z']);
  });

  it('moves waiting rows out of the default partition when their day gets a partition', async () => {
    const farDay = utcDayStart(Date.now()) + 20 * DAY;
    await writer.writeBatch('batch-future', [row('early bird', { ts: farDay + 3_600_000 })]);
    const before = await dataSource.query(
      `SELECT tableoid::regclass::text AS p FROM logs WHERE message = 'early bird'`,
    );
    expect(before).toEqual([{ p: 'logs_default' }]);

    // Two weeks later the partition manager reaches that day.
    const created = await partitions.maintain(Date.now() + 14 * DAY);
    expect(created).toContain(partitionName(farDay));
    const after = await dataSource.query(
      `SELECT tableoid::regclass::text AS p FROM logs WHERE message = 'early bird'`,
    );
    expect(after).toEqual([{ p: partitionName(farDay) }]);
  });

  it('adopts late days into partitions of their own (a server that was down for days)', async () => {
    const lateDay = utcDayStart(Date.now()) - 10 * DAY;
    await writer.writeBatch('batch-late', [row('late line', { ts: lateDay + 60_000 })]);
    const created = await partitions.maintain();
    expect(created).toContain(partitionName(lateDay));
    const rows = await dataSource.query(
      `SELECT tableoid::regclass::text AS p FROM logs WHERE message = 'late line'`,
    );
    expect(rows).toEqual([{ p: partitionName(lateDay) }]);
  });

  it('stores each file line once even when batches commit out of order and lines are read again', async () => {
    const [{ id: sourceId }] = await dataSource.query(
      `INSERT INTO sources (name, type, settings) VALUES ('tail-int', 'file', '{}') RETURNING id`,
    );
    // Lines of 10 bytes each: line i covers [10i, 10i + 10).
    const fileLines = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, k) => {
        const i = from + k;
        return row(`tail line ${i}`, {
          source: 'tail-int',
          checkpoint: {
            sourceId,
            fileKey: '1:2:0',
            path: '/var/log/x.log',
            start: 10 * i,
            offset: 10 * i + 10,
          },
        });
      });
    await writer.writeBatch('tail-b', fileLines(100, 200)); // the later batch commits first
    await writer.writeBatch('tail-a', fileLines(0, 100));
    await writer.writeBatch('tail-reread', fileLines(50, 250)); // a restart read 50..250 again
    const counts = await dataSource.query(
      `SELECT count(*)::int AS n, count(DISTINCT message)::int AS d FROM logs WHERE source = 'tail-int'`,
    );
    expect(counts).toEqual([{ n: 250, d: 250 }]);
    const offsets = await dataSource.query(
      `SELECT byte_offset::int AS offset, stored::text AS stored FROM file_offsets WHERE source_id = $1`,
      [sourceId],
    );
    expect(offsets).toEqual([{ offset: 2500, stored: '{[0,2500)}' }]);
  });

  it('builds the full-text index of closed days only, and log_tsv splits punctuation', async () => {
    const yesterday = utcDayStart(Date.now()) - DAY;
    await writer.writeBatch('batch-fts', [
      row('GET /api/orders/42 HTTP/1.1 Mozilla/5.0', { ts: yesterday + 1000, source: 'fts' }),
    ]);
    const built = await partitions.buildTextIndexes();
    expect(built).toContain(partitionName(yesterday));
    expect(built).not.toContain(partitionName(utcDayStart(Date.now())));
    const indexes = await dataSource.query(
      `SELECT indexname FROM pg_indexes WHERE indexname = $1`,
      [`${partitionName(yesterday)}_tsv_idx`],
    );
    expect(indexes).toHaveLength(1);
    expect(await partitions.buildTextIndexes()).toEqual([]); // nothing left to do
    for (const word of ['orders', 'mozilla', '42']) {
      const found = await dataSource.query(
        `SELECT count(*)::int AS n FROM logs WHERE source = 'fts' AND log_tsv(message) @@ to_tsquery('simple', $1)`,
        [word],
      );
      expect({ word, n: found[0].n }).toEqual({ word, n: 1 });
    }
  });

  it('pages newest first with a keyset cursor, without gaps or repeats on equal timestamps', async () => {
    const ts = Date.UTC(2026, 0, 1, 12, 0, 0) + 0.5;
    const rows = Array.from({ length: 25 }, (_, i) => row(`page ${i}`, { ts, source: 'paging' }));
    await writer.writeBatch('batch-paging', rows);
    const seen: string[] = [];
    let cursor;
    do {
      const page = await search.search({ sources: ['paging'], limit: 10, cursor });
      seen.push(...page.items.map((item) => item.id));
      expect(page.items.every((item) => item.ts === '2026-01-01T12:00:00.000500Z')).toBe(true);
      cursor = page.nextCursor
        ? (await import('./log-cursor')).decodeCursor(page.nextCursor)
        : undefined;
    } while (cursor);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    expect([...seen].sort((a, b) => Number(b) - Number(a))).toEqual(seen);
  });

  it('filters by level, source, host, time and words', async () => {
    const base = Date.UTC(2026, 0, 2, 0, 0, 0);
    await writer.writeBatch('batch-filters', [
      row('disk full on /var', { ts: base, level: 3, source: 'filters', host: 'db1' }),
      row('disk fine', { ts: base + 1000, level: 6, source: 'filters', host: 'db2' }),
      row('100%_literal match', { ts: base + 2000, level: 4, source: 'filters', host: 'db1' }),
    ]);
    const messages = async (filter: Parameters<LogSearchService['search']>[0]) =>
      (await search.search(filter)).items.map((item) => item.message);
    expect(await messages({ sources: ['filters'], levels: [3], limit: 10 })).toEqual([
      'disk full on /var',
    ]);
    expect(await messages({ sources: ['filters'], hosts: ['db1'], limit: 10 })).toEqual([
      '100%_literal match',
      'disk full on /var',
    ]);
    expect(
      await messages({ sources: ['filters'], query: parseQuery('DISK var'), limit: 10 }),
    ).toEqual(['disk full on /var']);
    expect(
      await messages({ sources: ['filters'], query: parseQuery('message:*%_*'), limit: 10 }),
    ).toEqual(['100%_literal match']);
    expect(
      await messages({
        sources: ['filters'],
        from: new Date(base + 500),
        to: new Date(base + 1500),
        limit: 10,
      }),
    ).toEqual(['disk fine']);
  });
});
