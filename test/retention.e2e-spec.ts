import type {
  ArchiveListItem,
  ArchiveManifest,
  RetentionLogPage,
  RetentionPolicy,
  RetentionRun,
  StorageEstimate,
} from '@app/contracts';
import {
  archiveImportMain,
  RETENTION_LOCK_KEY,
  RetentionRuns,
  RetentionScheduler,
} from '@app/retention';
import { PartitionManager, partitionName } from '@app/storage';
import { createTestEnv, startSystem, waitFor, type TestEnv, type TestSystem } from '@app/testing';
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createWorkerApp } from '../apps/worker/src/create-worker-app';

const DAY = 86_400_000;
const dayStart = (ms: number) => Math.floor(ms / DAY) * DAY;

/**
 * Retention on real Postgres with data spread over many days: by age (whole days dropped), per
 * source (batched deletes), by disk budget (oldest days dropped, then today's oldest lines
 * trimmed), archive and restore, the retention log, runs and their progress, the scheduler.
 */
describe('retention (real api, Postgres with many days of data)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let token: string;
  let viewerKey: string;
  let db: Client;
  let archiveDir: string;

  beforeAll(async () => {
    archiveDir = await mkdtemp(join(tmpdir(), 'lookout-retention-'));
    testEnv = createTestEnv('retention', { ARCHIVE_DIR: archiveDir });
    system = await startSystem(testEnv, { worker: false });
    token = await system.login();
    viewerKey = await system.createApiKey(token, 'viewer');
    db = new Client({ connectionString: testEnv.databaseUrl });
    await db.connect();
    // Small batches so every delete goes through many of them; no pause (tests never wait on time).
    Object.assign(system.api.get(RetentionRuns).tuning, { batchRows: 500, pauseMs: 0 });
  });

  afterAll(async () => {
    await db?.end();
    await system?.close();
    await testEnv?.cleanup();
    await rm(archiveDir, { recursive: true, force: true });
  });

  const api = async <T>(
    method: string,
    path: string,
    body?: unknown,
    auth: { token?: string; key?: string } = { token },
  ): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${system.baseUrl}/api/v1/retention${path}`, {
      method,
      headers: {
        ...(auth.key ? { 'x-api-key': auth.key } : { authorization: `Bearer ${auth.token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  };

  const setPolicy = async (change: Record<string, unknown>) => {
    const response = await api<RetentionPolicy>('PUT', '/policy', change);
    expect(response.status).toBe(200);
    return response.body;
  };

  const runNow = async () => {
    const response = await api<RetentionRun>('POST', '/run?wait=120');
    expect(response.status).toBe(200);
    expect(response.body.error).toBeNull();
    expect(response.body.status).toBe('done');
    return response.body;
  };

  /** Partitions for the days [from, to] (the partition manager creates them as on a live system). */
  const ensureDays = async (from: number, to: number) => {
    const manager = system.api.get(PartitionManager);
    // maintain(now) keeps PARTITION_DAYS_BACK (3) behind `now` ready.
    for (let day = from; day <= to; day += 10 * DAY) await manager.maintain(day + 3 * DAY);
  };

  /** `count` lines of a source spread evenly over one UTC day (or over [start, start + spanMs)). */
  const seed = async (start: number, source: string, count: number, spanMs = DAY - 1000) => {
    await db.query(
      `INSERT INTO logs (ts, received_at, level, source, host, message, fields)
       SELECT to_timestamp(($1::float8 + i * $3::float8) / 1000), now(), i % 8, $2, 'host-' || (i % 7),
              'line ' || i || ' of ' || $2 || ' ' || md5(i::text || $2) || repeat(' padding', 10),
              CASE WHEN i % 3 = 0 THEN jsonb_build_object('seq', i, 'tag', $2) END
         FROM generate_series(0, $4 - 1) AS i`,
      [start, source, spanMs / count, count],
    );
  };

  const count = async (where: string, params: unknown[] = []) =>
    Number((await db.query(`SELECT count(*) AS n FROM logs WHERE ${where}`, params)).rows[0].n);

  const partitionExists = async (day: number) =>
    (await db.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [partitionName(day)])).rows[0]
      .ok as boolean;

  const totalBytes = async () =>
    Number(
      (
        await db.query(
          `SELECT sum(pg_total_relation_size(relid))::bigint AS n FROM pg_partition_tree('logs')`,
        )
      ).rows[0].n,
    );

  it('keeps everything until a policy is set; validates changes; admins only; audited', async () => {
    const initial = await api<RetentionPolicy>('GET', '/policy', undefined, { key: viewerKey });
    expect(initial.status).toBe(200);
    expect(initial.body).toMatchObject({
      maxAgeDays: null,
      sources: [],
      diskBudgetBytes: null,
      archive: false,
      archiveDir,
      intervalMinutes: 60,
    });

    const refused = await api<{ statusCode: number; message: string }>(
      'PUT',
      '/policy',
      { maxAgeDays: 30 },
      { key: viewerKey },
    );
    expect(refused.status).toBe(403);
    expect((await api('POST', '/run', undefined, { key: viewerKey })).status).toBe(403);

    const bad = async (body: unknown, text: string) => {
      const response = await api<{ statusCode: number; error: string; message: string | string[] }>(
        'PUT',
        '/policy',
        body,
      );
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('Bad Request');
      expect([response.body.message].flat().join(' ')).toContain(text);
    };
    await bad({ maxAgeDays: 0 }, 'maxAgeDays');
    await bad({ maxAgeDays: 'ten' }, 'maxAgeDays');
    await bad({ diskBudgetBytes: 1000 }, 'diskBudgetBytes');
    await bad({ intervalMinutes: 0 }, 'intervalMinutes');
    await bad({ sources: [{ source: '', maxAgeDays: 3 }] }, 'source');
    await bad({ maxAgeDays: 10, sources: [{ source: 'a', maxAgeDays: 10 }] }, 'not less than');
    await bad(
      {
        sources: [
          { source: 'a', maxAgeDays: 1 },
          { source: 'a', maxAgeDays: 2 },
        ],
      },
      'listed twice',
    );
    await bad({ retainForever: true }, 'retainForever');

    const changed = await setPolicy({ maxAgeDays: 30, intervalMinutes: 15 });
    expect(changed).toMatchObject({ maxAgeDays: 30, intervalMinutes: 15, diskBudgetBytes: null });
    // Left-out properties keep their value; null turns a limit off.
    expect(await setPolicy({ diskBudgetBytes: 5_000_000_000 })).toMatchObject({
      maxAgeDays: 30,
      diskBudgetBytes: 5_000_000_000,
    });
    expect(await setPolicy({ diskBudgetBytes: null, maxAgeDays: null })).toMatchObject({
      maxAgeDays: null,
      diskBudgetBytes: null,
      intervalMinutes: 15,
    });
    const audit = await db.query(
      `SELECT action, before, after FROM audit_log WHERE entity_type = 'retention-policy' ORDER BY id`,
    );
    expect(audit.rows).toHaveLength(3);
    expect(audit.rows[0].action).toBe('retention.policy.update');
    expect(audit.rows[0].before.maxAgeDays).toBeNull();
    expect(audit.rows[0].after.maxAgeDays).toBe(30);

    // No limits: a run removes nothing.
    const run = await runNow();
    expect(run.actions).toEqual([]);

    // Every route is in Swagger, with its shapes.
    const openApi = (await (await fetch(`${system.baseUrl}/docs-json`)).json()) as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(openApi.paths['/api/v1/retention/policy']).sort()).toEqual(['get', 'put']);
    for (const path of ['run', 'runs', 'runs/{id}', 'log', 'estimate', 'archives']) {
      const operations = Object.values(openApi.paths[`/api/v1/retention/${path}`] ?? {});
      expect(operations.length).toBe(1);
      expect(operations[0].tags).toEqual(['retention']);
    }
    for (const schema of [
      'UpdateRetentionPolicyDto',
      'RetentionPolicyDto',
      'RetentionRunDto',
      'RetentionLogPageDto',
      'StorageEstimateDto',
    ]) {
      expect(openApi.components.schemas[schema]).toBeDefined();
    }
  });

  it('by age: drops whole days older than maxAgeDays (never today), and old lines of the default partition', async () => {
    const today = dayStart(Date.now());
    await ensureDays(today - 12 * DAY, today);
    for (let day = 1; day <= 12; day++) await seed(today - day * DAY, 'app', 400);
    await seed(today, 'app', 400);
    // No partition for these years: they wait in logs_default.
    await seed(Date.parse('1970-01-02T00:00:00Z'), 'app', 10, 10_000);
    await seed(Date.parse('2099-06-01T00:00:00Z'), 'app', 5, 10_000);

    await setPolicy({ maxAgeDays: 5 });
    const run = await runNow();
    // A day goes once all of it is older than 5 days: days -6 … -12 here.
    const cutoff = Date.parse(run.startedAt) - 5 * DAY;
    const expectedDropped = Array.from({ length: 12 }, (_, i) => today - (i + 1) * DAY)
      .filter((day) => day + DAY <= cutoff)
      .sort((a, b) => a - b);
    expect(expectedDropped.length).toBeGreaterThanOrEqual(6);
    const drops = run.actions!.filter((action) => action.action === 'drop-partition');
    expect(drops.map((action) => action.partition)).toEqual(expectedDropped.map(partitionName));
    for (const drop of drops) {
      expect(drop).toMatchObject({ reason: 'max-age', rows: 400, archivePath: null });
      expect(drop.bytesFreed).toBeGreaterThan(0);
    }
    for (const day of expectedDropped) expect(await partitionExists(day)).toBe(false);
    expect(await partitionExists(today)).toBe(true);
    expect(await partitionExists(today - 5 * DAY)).toBe(true);

    const defaultDelete = run.actions!.find((action) => action.partition === 'logs_default');
    expect(defaultDelete).toMatchObject({ action: 'delete-rows', reason: 'max-age', rows: 10 });
    expect(await count(`ts < '2000-01-01'`)).toBe(0);
    expect(await count(`ts > '2090-01-01'`)).toBe(5);
    expect(await count(`source = 'app'`)).toBe((12 - expectedDropped.length + 1) * 400 + 5);

    // The retention log (viewer) has every action of the run, newest first.
    const log = await api<RetentionLogPage>('GET', `/log?limit=100`, undefined, {
      key: viewerKey,
    });
    expect(log.status).toBe(200);
    expect(log.body.items.filter((item) => item.runId === run.id)).toHaveLength(
      run.actions!.length,
    );
    // Nothing more to do the second time.
    expect((await runNow()).actions).toEqual([]);
  });

  it('per source: deletes the older lines of one source in batches, exact to the cutoff, and leaves the others', async () => {
    const today = dayStart(Date.now());
    await db.query(`DELETE FROM logs WHERE source = 'app'`);
    // Days -3 and -4 hold only the noisy source: they are emptied whole.
    for (let day = 0; day <= 4; day++) {
      await seed(today - day * DAY, 'noisy', 3000);
      if (day <= 2) await seed(today - day * DAY, 'quiet', 300);
    }
    const before = await count(`source = 'quiet'`);
    await setPolicy({ sources: [{ source: 'noisy', maxAgeDays: 2 }] });
    const run = await runNow();
    const cutoff = new Date(Date.parse(run.startedAt) - 2 * DAY);

    expect(await count(`source = 'noisy' AND ts < $1`, [cutoff])).toBe(0);
    const kept = await count(`source = 'noisy' AND ts >= $1`, [cutoff]);
    expect(kept).toBeGreaterThan(0);
    expect(await count(`source = 'quiet'`)).toBe(before);

    const deletes = run.actions!.filter((action) => action.reason === 'source-max-age');
    expect(deletes.length).toBeGreaterThanOrEqual(2);
    expect(deletes.reduce((sum, action) => sum + action.rows, 0)).toBe(5 * 3000 - kept);
    for (const action of deletes) expect(action).toMatchObject({ source: 'noisy' });
    // A day with nothing else is emptied at once, and its space is given back.
    const wholeDay = deletes.find((action) => action.partition === partitionName(today - 3 * DAY));
    expect(wholeDay?.rows).toBe(3000);
    expect(wholeDay?.bytesFreed).toBeGreaterThan(0);
    const rowsLeft = await db.query(
      `SELECT count(*)::int AS n FROM ${partitionName(today - 3 * DAY)}`,
    );
    expect(rowsLeft.rows[0].n).toBe(0);
    await setPolicy({ sources: [] });
  });

  it('archives before removing, and the archive imports back exactly, once (checksum verified)', async () => {
    const today = dayStart(Date.now());
    await ensureDays(today - 9 * DAY, today - 8 * DAY);
    // Text that breaks naive exports: quotes, backslashes, tabs, newlines, control bytes, unicode.
    const hostile = [
      'plain',
      'tab\there "quoted" back\\slash',
      'multi\nline\r\nmessage',
      'ctrl \u0001\u0002\u001f end',
      'unicode ✓ 日本語 🚀',
      '\\.',
      '',
    ];
    for (const day of [9, 8]) {
      await db.query(
        `INSERT INTO logs (ts, received_at, level, source, host, message, raw, status_code, method, path, latency_ms, fields, parse_error)
         SELECT to_timestamp(($1::float8 + i * 20000) / 1000), now(), 3, 'hostile', NULL,
                ($2::text[])[1 + i % 7] || ' #' || i, CASE WHEN i % 2 = 0 THEN 'raw ' || i END,
                500, 'GET', '/p/' || i, i / 7.0,
                jsonb_build_object('text', ($2::text[])[1 + i % 7], 'n', i, 'nested.key', 'v'),
                CASE WHEN i % 5 = 0 THEN 'invalid JSON' END
           FROM generate_series(0, 2999) AS i`,
        [today - day * DAY, hostile],
      );
    }
    await seed(today - 3 * DAY, 'secret', 1200);
    const snapshot = async (where: string) =>
      (
        await db.query(
          `SELECT count(*)::int AS n, md5(string_agg(
             concat_ws('|', id, ts, received_at, level, source, host, message, raw, status_code,
                       method, path, latency_ms, fields, parse_error), E'\\n' ORDER BY id)) AS digest
             FROM logs WHERE ${where}`,
        )
      ).rows[0] as { n: number; digest: string };
    const hostileBefore = await snapshot(`source = 'hostile'`);
    const secretBefore = await snapshot(`source = 'secret'`);
    expect(hostileBefore.n).toBe(6000);

    await setPolicy({
      archive: true,
      maxAgeDays: 7,
      sources: [{ source: 'secret', maxAgeDays: 2 }],
    });
    const run = await runNow();
    expect(await count(`source IN ('hostile', 'secret')`)).toBe(0);
    const archived = run.actions!.filter((action) => action.archivePath !== null);
    expect(archived.map((action) => [action.action, action.partition, action.rows])).toEqual([
      ['drop-partition', partitionName(today - 9 * DAY), 3000],
      ['drop-partition', partitionName(today - 8 * DAY), 3000],
      ['delete-rows', partitionName(today - 3 * DAY), 1200],
    ]);

    // Manifest: rows, time range, columns and the SHA-256 of the compressed file.
    const manifests: ArchiveManifest[] = [];
    for (const action of archived) {
      const manifest = JSON.parse(await readFile(action.archivePath!, 'utf8')) as ArchiveManifest;
      manifests.push(manifest);
      const data = await readFile(join(archiveDir, manifest.file));
      expect(manifest.sha256).toBe(createHash('sha256').update(data).digest('hex'));
      expect(manifest.rows).toBe(action.rows);
      expect(manifest.columns).toEqual(expect.arrayContaining(['id', 'ts', 'message', 'fields']));
      expect(Date.parse(manifest.minTs!)).toBeGreaterThanOrEqual(Date.parse(action.from!));
      expect(Date.parse(manifest.maxTs!)).toBeLessThan(Date.parse(action.to!));
    }
    expect(manifests[2]).toMatchObject({ source: 'secret', reason: 'source-max-age' });
    const listed = await api<ArchiveListItem[]>('GET', '/archives');
    expect(listed.body.map((item) => item.id).sort()).toEqual(
      manifests.map((manifest) => manifest.id).sort(),
    );

    // Restore (through the import command) — rows come back identical, ids included.
    await setPolicy({ archive: false, maxAgeDays: null, sources: [] });
    const output: string[] = [];
    const out = { write: (text: string) => output.push(text) };
    expect(await archiveImportMain([archiveDir], testEnv.env, out)).toBe(0);
    const results = output.map((line) => JSON.parse(line));
    expect(results.map((result) => [result.rowsInFile, result.rowsInserted]).sort()).toEqual([
      [1200, 1200],
      [3000, 3000],
      [3000, 3000],
    ]);
    expect(await snapshot(`source = 'hostile'`)).toEqual(hostileBefore);
    expect(await snapshot(`source = 'secret'`)).toEqual(secretBefore);

    // Twice: nothing more.
    output.length = 0;
    expect(await archiveImportMain([archiveDir], testEnv.env, out)).toBe(0);
    expect(output.map((line) => JSON.parse(line).alreadyImported)).toEqual([true, true, true]);
    expect(await count(`source IN ('hostile', 'secret')`)).toBe(7200);
    const imports = await api<RetentionLogPage>('GET', `/log?reason=restore`);
    expect(imports.body.items.map((item) => item.rows).sort()).toEqual([1200, 3000, 3000]);
    expect(
      (await api<ArchiveListItem[]>('GET', '/archives')).body.every((item) => item.importedAt),
    ).toBe(true);

    // An altered file is refused before anything is written.
    const tampered = await mkdtemp(join(tmpdir(), 'lookout-tampered-'));
    try {
      const manifest = manifests[2];
      const copy = { ...manifest, id: `${manifest.id}-copy` };
      await writeFile(join(tampered, `${copy.id}.manifest.json`), JSON.stringify(copy));
      const data = await readFile(join(archiveDir, manifest.file));
      data[data.length >> 1] ^= 0xff;
      await writeFile(join(tampered, manifest.file), data);
      output.length = 0;
      expect(
        await archiveImportMain([join(tampered, `${copy.id}.manifest.json`)], testEnv.env, out),
      ).toBe(1);
      expect(output.join('')).toContain('Checksum mismatch');
      // Re-pointed at the intact file under a new id: verified, and rows already there are skipped.
      await copyFile(join(archiveDir, manifest.file), join(tampered, manifest.file));
      output.length = 0;
      expect(await archiveImportMain([tampered], testEnv.env, out)).toBe(0);
      expect(JSON.parse(output[0])).toMatchObject({ rowsInFile: 1200, rowsInserted: 0 });
      expect(await count(`source = 'secret'`)).toBe(1200);
    } finally {
      await rm(tampered, { recursive: true, force: true });
    }
    await db.query(`DELETE FROM logs WHERE source IN ('hostile', 'secret')`);
  });

  it('by disk budget: drops the oldest days until under it, then trims the oldest lines of today', async () => {
    await setPolicy({ maxAgeDays: null, archive: false, sources: [] });
    const today = dayStart(Date.now());
    await db.query(`DELETE FROM logs WHERE ts < $1`, [new Date(today)]);
    await ensureDays(today - 6 * DAY, today);
    for (let day = 1; day <= 6; day++) await seed(today - day * DAY, 'budget', 4000);
    await seed(today, 'budget', 20_000);
    await db.query('VACUUM ANALYZE logs');

    const sizes = await db.query<{ day: string; bytes: string }>(
      `SELECT c.relname AS day, (SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree(c.oid))::bigint AS bytes
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'logs'::regclass`,
    );
    const bytesOf = (day: number) =>
      Number(sizes.rows.find((row) => row.day === partitionName(day))?.bytes ?? 0);
    const total = await totalBytes();
    // Room for all but the three oldest days (and a little slack).
    const budget =
      total -
      bytesOf(today - 6 * DAY) -
      bytesOf(today - 5 * DAY) -
      bytesOf(today - 4 * DAY) +
      50_000;
    await setPolicy({ diskBudgetBytes: budget });

    const estimate = await api<StorageEstimate>('GET', '/estimate', undefined, { key: viewerKey });
    expect(estimate.status).toBe(200);
    expect(estimate.body.totalBytes).toBe(total);
    expect(estimate.body.diskBudgetBytes).toBe(budget);
    expect(estimate.body.daysUntilBudgetFull).toBe(0);
    expect(estimate.body.days[0].day > estimate.body.days[1].day).toBe(true);
    const complete = [1, 2, 3, 4, 5, 6].map((day) => bytesOf(today - day * DAY));
    expect(estimate.body.bytesPerDay).toBe(
      Math.round(complete.reduce((sum, bytes) => sum + bytes, 0) / complete.length),
    );
    expect(estimate.body.budgetDaysOfHistory).toBeCloseTo(
      budget / estimate.body.ingestBytesPerDay!,
      1,
    );
    expect(estimate.body.expectedHistoryDays).toBe(estimate.body.budgetDaysOfHistory);

    const run = await runNow();
    // Oldest first: empty days left by earlier tests go too, then the days with lines.
    const drops = run.actions!.filter((action) => action.action === 'drop-partition');
    expect(
      drops.filter((action) => action.rows > 0).map((action) => [action.partition, action.reason]),
    ).toEqual([6, 5, 4].map((day) => [partitionName(today - day * DAY), 'disk-budget']));
    expect(drops.every((action) => action.partition! < partitionName(today - 3 * DAY))).toBe(true);
    expect(run.totalBytesAfter).toBeLessThanOrEqual(budget);
    expect(await totalBytes()).toBeLessThanOrEqual(budget);
    expect(await partitionExists(today - 3 * DAY)).toBe(true);

    // A budget that today's lines alone exceed: today is trimmed, oldest lines first.
    const todayBytes = bytesOf(today);
    const othersBytes = (await totalBytes()) - todayBytes;
    const tight =
      othersBytes -
      bytesOf(today - 3 * DAY) -
      bytesOf(today - 2 * DAY) -
      bytesOf(today - DAY) +
      Math.round(todayBytes / 2);
    await setPolicy({ diskBudgetBytes: Math.max(tight, 1_048_576) });
    const trim = await runNow();
    expect(
      trim.actions!.filter((action) => action.action === 'drop-partition' && action.rows > 0),
    ).toHaveLength(3);
    const trims = trim.actions!.filter((action) => action.action === 'delete-rows');
    expect(trims.length).toBeGreaterThan(0);
    const left = await count(`source = 'budget'`);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(20_000);
    // What is left is the newest lines: none older than any deleted one.
    const oldestLeft = (await db.query(`SELECT min(ts) AS ts FROM logs WHERE source = 'budget'`))
      .rows[0].ts as Date;
    const expectedFirst = today + ((DAY - 1000) / 20_000) * (20_000 - left);
    expect(oldestLeft.getTime()).toBeGreaterThanOrEqual(expectedFirst - 10);
    expect(await totalBytes()).toBeLessThanOrEqual(Math.max(tight, 1_048_576));
    expect(await partitionExists(today)).toBe(true);
    await setPolicy({ diskBudgetBytes: null });
  });

  it('a long run reports progress, a second one is refused with 409, and metrics count what went', async () => {
    const runs = system.api.get(RetentionRuns);
    Object.assign(runs.tuning, { batchRows: 100, pauseMs: 100 });
    try {
      const today = dayStart(Date.now());
      await seed(today - 2 * DAY, 'slow', 4000);
      // Not alone in its day: deleted in batches of 100 with a pause between them.
      await seed(today - 2 * DAY, 'bystander', 10);
      await setPolicy({ sources: [{ source: 'slow', maxAgeDays: 1 }] });
      const started = await api<RetentionRun>('POST', '/run?wait=0');
      expect(started.status).toBe(202);
      expect(started.body.status).toBe('running');
      const second = await api<{ statusCode: number; runId: string; message: string }>(
        'POST',
        '/run',
      );
      expect(second.status).toBe(409);
      expect(second.body.runId).toBe(started.body.id);
      const progress = await waitFor(
        async () => {
          const run = (await api<RetentionRun>('GET', `/runs/${started.body.id}`)).body;
          return (run.progress.stepRows ?? 0) > 0 ? run : undefined;
        },
        'progress of the run',
        30_000,
      );
      expect(progress!.progress.step).toContain('"slow"');
      const done = await waitFor(
        async () => {
          const run = (await api<RetentionRun>('GET', `/runs/${started.body.id}`)).body;
          return run.status === 'done' ? run : undefined;
        },
        'the run to end',
        60_000,
      );
      expect(done!.progress.rowsDeleted).toBe(4000);
      expect(done!.actions!.map((action) => action.rows)).toEqual([4000]);
      const list = await api<RetentionRun[]>('GET', '/runs');
      expect(list.body[0].id).toBe(started.body.id);
      expect((await api('GET', '/runs/00000000-0000-0000-0000-000000000000')).status).toBe(404);
      expect((await api('GET', '/runs/nope')).status).toBe(400);
    } finally {
      Object.assign(runs.tuning, { batchRows: 500, pauseMs: 0 });
      await setPolicy({ sources: [] });
    }

    const metrics = await (await fetch(`${system.baseUrl}/metrics`)).text();
    const removed = (reason: string) =>
      Number(
        new RegExp(`lookout_retention_rows_removed_total\\{reason="${reason}"\\} (\\d+)`).exec(
          metrics,
        )?.[1],
      );
    const fromLog = await db.query<{ reason: string; rows: string }>(
      `SELECT reason, sum(rows) AS rows FROM retention_actions WHERE action <> 'import-archive' GROUP BY reason`,
    );
    for (const row of fromLog.rows) expect(removed(row.reason)).toBe(Number(row.rows));
    expect(metrics).toMatch(/lookout_retention_last_run_timestamp_seconds\{status="done"\} \d+/);
    expect(metrics).toMatch(/lookout_log_storage_bytes \d+/);
  });

  it('the retention log pages newest first', async () => {
    const first = await api<RetentionLogPage>('GET', '/log?limit=2', undefined, { key: viewerKey });
    expect(first.body.items).toHaveLength(2);
    expect(BigInt(first.body.items[0].id) > BigInt(first.body.items[1].id)).toBe(true);
    const next = await api<RetentionLogPage>(
      'GET',
      `/log?limit=2&before=${first.body.nextBefore}`,
      undefined,
      {
        key: viewerKey,
      },
    );
    expect(BigInt(next.body.items[0].id) < BigInt(first.body.items[1].id)).toBe(true);
    expect((await api('GET', '/log?reason=nope', undefined, { key: viewerKey })).status).toBe(400);
    expect((await api('GET', '/log?before=x', undefined, { key: viewerKey })).status).toBe(400);
  });

  it('the worker runs retention on its schedule, and sooner when the data outgrows the budget', async () => {
    const worker = await createWorkerApp(testEnv.env);
    try {
      const scheduler = worker.get(RetentionScheduler);
      const today = dayStart(Date.now());
      await setPolicy({ maxAgeDays: 30, intervalMinutes: 60 });
      // The last run was moments ago: not due.
      expect(await scheduler.tick()).toBeNull();
      // An hour later it is.
      const scheduled = await scheduler.tick(Date.now() + 61 * 60_000);
      expect(scheduled).toMatchObject({ trigger: 'schedule', status: 'done' });
      // Data over the budget and grown since the last run: a run at the next check.
      await seed(today, 'burst', 20_000);
      await setPolicy({ diskBudgetBytes: Math.max((await totalBytes()) - 100_000, 1_048_576) });
      const budgetRun = await scheduler.tick();
      expect(budgetRun).toMatchObject({ trigger: 'budget', status: 'done' });
      expect(budgetRun!.actions!.some((action) => action.reason === 'disk-budget')).toBe(true);
      // Nothing grew since: no run.
      expect(await scheduler.tick()).toBeNull();
    } finally {
      await worker.close();
      await setPolicy({ diskBudgetBytes: null, maxAgeDays: null });
    }
  });

  it('a run interrupted by a crash leaves its deleted rows in a salvaged archive', async () => {
    // A crash after some batches were deleted and written: the archive is unfinished.
    const today = dayStart(Date.now());
    await seed(today - 2 * DAY, 'crash', 2000);
    // Another source in the same day: the crash source's lines go in batches, not all at once.
    await seed(today - 2 * DAY, 'bystander', 10);
    const runs = system.api.get(RetentionRuns);
    Object.assign(runs.tuning, { batchRows: 200, pauseMs: 50 });
    await setPolicy({ archive: true, sources: [{ source: 'crash', maxAgeDays: 1 }] });
    try {
      const started = await api<RetentionRun>('POST', '/run?wait=0');
      await waitFor(
        async () => {
          const run = (await api<RetentionRun>('GET', `/runs/${started.body.id}`)).body;
          return (run.progress.stepRows ?? 0) >= 600;
        },
        'some batches to be deleted',
        30_000,
      );
      // The run's connection dies (as when the database or the process goes away).
      await db.query(
        `SELECT pg_terminate_backend(pid) FROM pg_locks
          WHERE locktype = 'advisory' AND objid = $1 AND granted
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [RETENTION_LOCK_KEY],
      );
      await waitFor(
        async () =>
          (await api<RetentionRun>('GET', `/runs/${started.body.id}`)).body.status !== 'running',
        'the run to stop',
        30_000,
      );
      const deletedSoFar = 2000 - (await count(`source = 'crash'`));
      expect(deletedSoFar).toBeGreaterThanOrEqual(600);
      expect((await readdir(archiveDir)).some((name) => name.endsWith('.pending.json'))).toBe(true);

      // The next run salvages the unfinished archive, then finishes the job.
      Object.assign(runs.tuning, { batchRows: 500, pauseMs: 0 });
      const next = await runNow();
      expect(next.progress.skipped.join(' ')).toContain('salvaged');
      expect(await count(`source = 'crash'`)).toBe(0);
      expect((await readdir(archiveDir)).some((name) => name.endsWith('.pending.json'))).toBe(
        false,
      );
      // Between the salvaged archive and the new one, every deleted row is archived.
      const ids = new Set<string>();
      for (const name of (await readdir(archiveDir)).filter((file) =>
        file.endsWith('.manifest.json'),
      )) {
        const manifest = JSON.parse(
          await readFile(join(archiveDir, name), 'utf8'),
        ) as ArchiveManifest;
        if (manifest.source !== 'crash') continue;
        const { gunzipSync } = await import('node:zlib');
        const text = gunzipSync(await readFile(join(archiveDir, manifest.file))).toString('utf8');
        for (const line of text.split('\n').filter(Boolean)) ids.add(JSON.parse(line).id);
      }
      expect(ids.size).toBe(2000);
    } finally {
      Object.assign(runs.tuning, { batchRows: 500, pauseMs: 0 });
      await setPolicy({ archive: false, sources: [] });
    }
  });
});
