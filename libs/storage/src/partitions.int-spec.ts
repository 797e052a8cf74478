import { Test, type TestingModule } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { ConfigModule } from '@app/config';
import { createTestEnv, type TestEnv } from '@app/testing';
import type { DataSource } from 'typeorm';
import { decodeCursor } from './log-cursor';
import type { NewLogRow } from './log-row';
import { LogSearchService, type LogSearchFilter } from './log-search.service';
import { LogWriter } from './log-writer.service';
import {
  hourPartitionName,
  PartitionManager,
  partitionName,
  utcDayStart,
} from './partition-manager.service';
import { parseQuery } from './query';
import { StorageModule } from './storage.module';

const DAY = 86_400_000;
const H = 3_600_000;

function row(message: string, ts: number, overrides: Partial<NewLogRow> = {}): NewLogRow {
  return {
    ts,
    receivedAt: ts,
    level: 6,
    source: 'hours',
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

/** Day partitions split into hour leaves; past and older days as one table. */
describe('hour partitions (real Postgres)', () => {
  let testEnv: TestEnv;
  let moduleRef: TestingModule;
  let writer: LogWriter;
  let search: LogSearchService;
  let partitions: PartitionManager;
  let dataSource: DataSource;
  const today = utcDayStart(Date.now());
  const tomorrow = today + DAY;

  beforeAll(async () => {
    testEnv = createTestEnv('partitions', { PARTITION_DAYS_AHEAD: '3' });
    moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(testEnv.env), StorageModule],
    }).compile();
    await moduleRef.init();
    writer = moduleRef.get(LogWriter);
    search = moduleRef.get(LogSearchService);
    partitions = moduleRef.get(PartitionManager);
    dataSource = moduleRef.get(getDataSourceToken());
  }, 60_000);

  afterAll(async () => {
    await moduleRef?.close();
    await testEnv?.cleanup();
  });

  /** Day partitions of logs: name → 'hours' (split) or 'table'. */
  const days = async (): Promise<Record<string, string>> =>
    Object.fromEntries(
      (
        await dataSource.query(
          `SELECT c.relname AS name, c.relkind AS kind FROM pg_inherits
             JOIN pg_class c ON c.oid = pg_inherits.inhrelid
            WHERE pg_inherits.inhparent = 'logs'::regclass AND c.relname <> 'logs_default'`,
        )
      ).map((r: { name: string; kind: string }) => [r.name, r.kind === 'p' ? 'hours' : 'table']),
    );
  const leaves = async (day: number): Promise<string[]> =>
    (
      await dataSource.query(
        `SELECT relid::regclass::text AS leaf FROM pg_partition_tree($1::regclass)
          WHERE isleaf ORDER BY 1`,
        [partitionName(day)],
      )
    ).map((r: { leaf: string }) => r.leaf);
  const partitionOf = async (message: string): Promise<string> =>
    (
      await dataSource.query(`SELECT tableoid::regclass::text AS p FROM logs WHERE message = $1`, [
        message,
      ])
    )[0]?.p;
  const messages = async (filter: Partial<LogSearchFilter>): Promise<string[]> =>
    (await search.search({ limit: 100, sources: ['hours'], ...filter })).items.map(
      (item) => item.message,
    );

  it('splits today and tomorrow into hour leaves, keeps other days one table', async () => {
    // At start: the days lines are written to now; the scheduled run adds the days further ahead.
    expect(await days()).toEqual({
      [partitionName(today - 3 * DAY)]: 'table',
      [partitionName(today - 2 * DAY)]: 'table',
      [partitionName(today - DAY)]: 'table',
      [partitionName(today)]: 'hours',
      [partitionName(tomorrow)]: 'hours',
    });
    expect(await partitions.maintain()).toEqual([
      partitionName(today + 2 * DAY),
      partitionName(today + 3 * DAY),
    ]);
    // Days further ahead get their hour leaves the day before (fewer tables to plan over).
    expect((await days())[partitionName(today + 3 * DAY)]).toBe('table');
    expect(await leaves(today)).toEqual(
      Array.from({ length: 24 }, (_, hour) => hourPartitionName(today + hour * H)),
    );
    // Every leaf has the indexes of logs (the primary key included).
    const indexCount = async (table: string) =>
      (
        await dataSource.query(`SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = $1`, [
          table,
        ])
      )[0].n;
    expect(await indexCount(hourPartitionName(today + 5 * H))).toBe(await indexCount('logs'));
    expect(await indexCount('logs')).toBeGreaterThanOrEqual(4);

    await writer.writeBatch('hour-lines', [
      row('written at 05:30 today', today + 5.5 * H),
      row('written yesterday', today - DAY + 60_000),
    ]);
    expect(await partitionOf('written at 05:30 today')).toBe(hourPartitionName(today + 5 * H));
    expect(await partitionOf('written yesterday')).toBe(partitionName(today - DAY));
    expect(await partitions.list()).toContainEqual({
      name: partitionName(today),
      day: new Date(today).toISOString().slice(0, 10),
    });
  });

  it('builds the text index of each hour that is over, never of the hour being written', async () => {
    const now = tomorrow + 5.5 * H; // as if it were 05:30 tomorrow
    await writer.writeBatch('hour-index', [
      row('quokka seen at 01:30 tomorrow', tomorrow + 1.5 * H),
      row('quokka seen at 05:10 tomorrow', tomorrow + 5 * H + 600_000),
    ]);
    const built = await partitions.buildTextIndexes(now);
    for (let hour = 0; hour < 5; hour++)
      expect(built).toContain(hourPartitionName(tomorrow + hour * H));
    expect(built).not.toContain(hourPartitionName(tomorrow + 5 * H));
    expect(built).toContain(hourPartitionName(today + 23 * H));
    expect(built).toContain(partitionName(today - DAY)); // a past day: one index for the day
    // Newest first: the hours searched most get theirs first.
    expect(built.indexOf(hourPartitionName(tomorrow + 4 * H))).toBeLessThan(
      built.indexOf(hourPartitionName(tomorrow)),
    );
    expect(await partitions.buildTextIndexes(now)).toEqual([]);
    const layout = await partitions.searchLayout();
    expect(layout.indexed).toContainEqual({ from: today - 3 * DAY, to: tomorrow + 5 * H });
    expect(layout.earliest).toBe(today - 3 * DAY);

    // Found in the indexed hour and in the one without an index, newest first, with highlights.
    const found = await search.search({
      limit: 10,
      sources: ['hours'],
      from: new Date(tomorrow),
      to: new Date(tomorrow + 6 * H),
      query: parseQuery('quokka'),
    });
    expect(found.items.map((item) => [item.message, item.highlights])).toEqual([
      ['quokka seen at 05:10 tomorrow', [[0, 6]]],
      ['quokka seen at 01:30 tomorrow', [[0, 6]]],
    ]);
  });

  it('moves rows waiting in the default partition into the hour leaves of their new day', async () => {
    const farDay = today + 20 * DAY;
    await writer.writeBatch('far-future', [row('early bird', farDay + H + 1000)]);
    expect(await partitionOf('early bird')).toBe('logs_default');
    // Nineteen days later that day is tomorrow: the manager makes it, with hour leaves.
    const created = await partitions.maintain(Date.now() + 19 * DAY);
    expect(created).toContain(partitionName(farDay));
    expect((await days())[partitionName(farDay)]).toBe('hours');
    expect(await partitionOf('early bird')).toBe(hourPartitionName(farDay + H));
    expect(
      await messages({ from: new Date(farDay), to: new Date(farDay + DAY), query: null }),
    ).toEqual(['early bird']);
  });

  it('keeps one-table days of older versions working, and gives tomorrow its hour leaves', async () => {
    // A day made by a version before hour leaves, with a line in it.
    const day = today + 4 * DAY; // not made yet (PARTITION_DAYS_AHEAD is 3)
    const name = partitionName(day);
    await dataSource.query(
      `CREATE TABLE ${name} PARTITION OF logs FOR VALUES FROM ('${new Date(day).toISOString()}') TO ('${new Date(day + DAY).toISOString()}')`,
    );
    await writer.writeBatch('old-shape', [
      row('old shape wombat', day + 2 * H),
      row('old shape other', day + 3 * H),
    ]);
    const range = { from: new Date(day), to: new Date(day + DAY) };
    expect(await messages({ ...range, query: parseQuery('wombat') })).toEqual(['old shape wombat']);

    // Once it is tomorrow, the manager replaces it with a day of hour leaves, moving its lines.
    expect(await partitions.maintain(Date.now() + 2 * DAY)).not.toContain(name);
    expect((await days())[name]).toBe('table');
    expect(await partitions.maintain(Date.now() + 3 * DAY)).toContain(name);
    expect((await days())[name]).toBe('hours');
    expect(await partitionOf('old shape wombat')).toBe(hourPartitionName(day + 2 * H));
    expect(await messages({ ...range, query: parseQuery('wombat') })).toEqual(['old shape wombat']);
    expect(await messages(range)).toEqual(['old shape other', 'old shape wombat']);
    // Its indexes carry the day's name again.
    const indexes = await dataSource.query(
      `SELECT indexname FROM pg_indexes WHERE tablename = $1 ORDER BY 1`,
      [name],
    );
    expect(indexes.map((r: { indexname: string }) => r.indexname)).toEqual([
      `${name}_level_ts_idx`,
      `${name}_pkey`,
      `${name}_source_ts_idx`,
      `${name}_ts_id_idx`,
    ]);
  });

  it('pages a full-text search across indexed and unindexed slices as one ordered list', async () => {
    // 40 lines an hour from 00:00 to 07:59 the day after tomorrow; hours 0–4 get their index.
    const day = tomorrow + DAY;
    await partitions.maintain(); // that day has its hour leaves
    const words = ['common', 'common', 'common', 'rare'];
    const rows = Array.from({ length: 320 }, (_, i) =>
      row(`${words[i % 7 === 0 ? 3 : i % 3]} line ${i}`, day + i * 90_000, { source: 'paging' }),
    );
    // More matches in one indexed hour than a lookup fetches: that slice is walked in time order.
    rows.push(
      ...Array.from({ length: 1100 }, (_, i) =>
        row(`dense line ${i}`, day + H + i * 3000 + 500, { source: 'paging' }),
      ),
    );
    rows.sort((a, b) => a.ts - b.ts);
    await writer.writeBatch('slices', rows);
    await partitions.buildTextIndexes(day + 5 * H);
    const range = { from: new Date(day), to: new Date(day + 8 * H) };
    for (const word of ['common', 'rare', 'dense', 'line']) {
      const expected = rows
        .filter((r) => r.message.split(' ').includes(word))
        .map((r) => r.message)
        .reverse();
      for (const limit of [7, 50]) {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page = await search.search({
            ...range,
            sources: ['paging'],
            query: parseQuery(word),
            limit,
            cursor: cursor ? decodeCursor(cursor) : undefined,
          });
          seen.push(...page.items.map((item) => item.message));
          cursor = page.nextCursor;
        } while (cursor);
        expect({ word, limit, seen }).toEqual({ word, limit, seen: expected });
      }
      // And back towards newer lines from the oldest page.
      const oldest = await search.search({
        ...range,
        sources: ['paging'],
        query: parseQuery(word),
        limit: 5,
        cursor: decodeCursor(
          (
            await search.search({
              ...range,
              sources: ['paging'],
              query: parseQuery(word),
              limit: expected.length - 5,
            })
          ).nextCursor!,
        ),
      });
      const newer = await search.search({
        ...range,
        sources: ['paging'],
        query: parseQuery(word),
        limit: 9,
        direction: 'newer',
        cursor: decodeCursor(oldest.prevCursor!),
      });
      expect(newer.items.map((item) => item.message)).toEqual(
        expected.slice(expected.length - 5 - 9, expected.length - 5),
      );
    }
  });
});
