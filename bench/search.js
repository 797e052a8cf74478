#!/usr/bin/env node
// `npm run bench:search`: search latency on a large table. Starts api + worker on a fresh database
// `lookout_search_bench`, seeds BENCH_SEARCH_ROWS lines (default 10,000,000) over the last 48 h with
// COPY, prepares what a system that has run for days has (each day split into hour leaves, the
// full-text index of every hour that is over, the rollups), then times each query of the search
// issue through the HTTP API: p50 and p95 of BENCH_SEARCH_RUNS runs (default 20). The hour being
// written has no text index, as in production. Writes bench/results/search-<timestamp>.json.
const { mkdirSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const { Client } = require('pg');
const { from: copyFrom } = require('pg-copy-streams');
const { pipeline } = require('node:stream/promises');
const { Readable } = require('node:stream');
const { startLookout } = require('./system');

const root = join(__dirname, '..');
const ROWS = Number(process.env.BENCH_SEARCH_ROWS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_SEARCH_RUNS ?? 20);
const PORT = Number(process.env.BENCH_PORT ?? 8182);
const BASE = `http://127.0.0.1:${PORT}`;
const log = (message) =>
  console.log(`[search-bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

const PATHS = [
  '/api/orders',
  '/api/orders/42',
  '/api/users',
  '/login',
  '/static/app.js',
  '/api/search',
  '/api/cart',
  '/health',
];
const WORDS = [
  'served',
  'cache',
  'miss',
  'upstream',
  'slow',
  'user',
  'signed',
  'in',
  'retry',
  'ok',
];

/** One COPY text row; planted words: `quokka` in 10 rows, `timeout` in 1%, `payment declined` in 0.5%. */
function row(i, ts) {
  const status = i % 50 === 0 ? 503 : i % 17 === 0 ? 404 : 200;
  const level = status >= 500 ? 3 : status >= 400 ? 4 : 6;
  const path = PATHS[i % PATHS.length];
  let message = `${i % 4 === 0 ? 'POST' : 'GET'} ${path} ${status} ${WORDS[i % 10]} ${WORDS[(i * 7) % 10]} Mozilla/5.0 req=${i.toString(36)}`;
  if (i % 100 === 37) message += ' upstream timeout after 30s';
  if (i % 200 === 11) message += ' payment declined by bank';
  if (i % Math.floor(ROWS / 10) === 5) message += ' quokka sighted';
  const iso = new Date(ts).toISOString();
  return [
    i + 1,
    iso,
    iso,
    level,
    i % 3 === 0 ? 'nginx' : 'app',
    `web-${i % 8}`,
    message,
    '\\N',
    status,
    i % 4 === 0 ? 'POST' : 'GET',
    path,
    (i * 7) % 900,
    JSON.stringify({ tenant: `t${i % 1000}` }),
    '\\N',
  ].join('\t');
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main() {
  const lookout = await startLookout({ name: 'search-bench', port: PORT });
  try {
    const db = new Client({ connectionString: lookout.databaseUrl });
    await db.connect();

    const now = Date.now();
    const span = 48 * 3600_000;
    await splitPastDaysIntoHours(db, now - span);

    // Seed: 48 h ending now, evenly spread, 50,000 rows per COPY.
    log(`seeding ${ROWS} rows with COPY`);
    const seedStarted = performance.now();
    for (let start = 0; start < ROWS; start += 50_000) {
      const lines = [];
      for (let i = start; i < Math.min(ROWS, start + 50_000); i++)
        lines.push(row(i, now - span + (span * i) / ROWS));
      await pipeline(
        Readable.from([lines.join('\n') + '\n']),
        db.query(
          copyFrom(
            'COPY logs (id, ts, received_at, level, source, host, message, raw, status_code, method, path, latency_ms, fields, parse_error) FROM STDIN',
          ),
        ),
      );
      if ((start / 50_000) % 20 === 0) log(`  ${start} rows`);
    }
    await db.query(`SELECT setval('logs_id_seq', $1)`, [ROWS + 1]);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    // The bare COPY bypassed the worker, which writes rollups with each batch: compute them.
    log(`seeded in ${seedSeconds.toFixed(0)} s; rolling up`);
    const rollupStarted = performance.now();
    await db.query('SELECT log_rollups_rebuild($1, $2)', [new Date(now - span), new Date(now + 1)]);
    const rollupSeconds = (performance.now() - rollupStarted) / 1000;
    log(
      `rolled up in ${rollupSeconds.toFixed(0)} s; building the text index of every closed hour (as the partition manager does)`,
    );
    const indexStarted = performance.now();
    const { rows: leaves } = await db.query(
      `SELECT c.relname AS name FROM pg_partition_tree('logs') t JOIN pg_class c ON c.oid = t.relid
        WHERE t.isleaf AND c.relname ~ '^logs_p\\d{8}(_h\\d{2})?$' ORDER BY 1`,
    );
    let indexed = 0;
    for (const { name } of leaves) {
      if (leafEnd(name) > now) continue; // the hour being written (and hours to come)
      await db.query(
        `CREATE INDEX IF NOT EXISTS ${name}_tsv_idx ON ${name} USING gin (log_tsv(message))`,
      );
      indexed++;
    }
    // The worker's partition manager builds the same indexes (CONCURRENTLY); wait for any build
    // of its that is still running, so every closed hour has its index when the timing starts.
    for (let waited = 0; ; waited++) {
      const { rows: pending } = await db.query(
        `SELECT count(*)::int AS n FROM pg_partition_tree('logs') t JOIN pg_class c ON c.oid = t.relid
          WHERE t.isleaf AND c.relname = ANY($1) AND NOT EXISTS (
            SELECT 1 FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
             WHERE i.indrelid = c.oid AND ic.relname = c.relname || '_tsv_idx' AND i.indisvalid)`,
        [leaves.map(({ name }) => name).filter((name) => leafEnd(name) <= now)],
      );
      if (pending[0].n === 0) break;
      if (waited > 600) throw new Error(`${pending[0].n} text indexes still missing after 10 min`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    await db.query('VACUUM ANALYZE logs');
    await db.query('VACUUM ANALYZE log_rollups');
    await db.query('VACUUM ANALYZE log_rollups_hourly');
    const indexSeconds = (performance.now() - indexStarted) / 1000;
    const hot = leaves.find(({ name }) => leafEnd(name) > now && leafStart(name) <= now);
    const { rows: hotRows } = hot
      ? await db.query(`SELECT count(*)::int AS n FROM ${hot.name}`)
      : { rows: [{ n: 0 }] };
    log(
      `${indexed} partitions indexed in ${indexSeconds.toFixed(0)} s; ${hot?.name} (written now) holds ${hotRows[0].n} rows`,
    );

    const { accessToken } = lookout;
    const day = `from=${encodeURIComponent(new Date(now - 24 * 3600_000).toISOString())}`;
    const queries = {
      'level + time range, top 100': `/api/v1/logs?level=error&from=${encodeURIComponent(new Date(now - 6 * 3600_000).toISOString())}&limit=100`,
      'rare word (10 rows)': `/api/v1/logs?${day}&q=quokka&limit=100`,
      'word in 1% of lines': `/api/v1/logs?${day}&q=timeout&limit=100`,
      'field equality': `/api/v1/logs?${day}&q=${encodeURIComponent('fields.tenant:t42')}&limit=100`,
      phrase: `/api/v1/logs?${day}&q=${encodeURIComponent('"payment declined"')}&limit=100`,
      '24 h histogram by minute': `/api/v1/logs/histogram?${day}&interval=1m`,
      'group by endpoint, p95 latency': `/api/v1/logs/aggregate?${day}&groupBy=path&metric=p95&field=latency_ms&limit=10`,
      'summary (24 h)': `/api/v1/analytics/summary?${day}`,
      'slowest endpoints (24 h)': `/api/v1/analytics/slowest-endpoints?${day}`,
      'histogram with a word (raw lines)': `/api/v1/logs/histogram?${day}&q=quokka`,
    };
    const results = {};
    for (const [name, path] of Object.entries(queries)) {
      const times = [];
      let status = 0;
      let count;
      for (let run = 0; run < RUNS + 2; run++) {
        const started = performance.now();
        const response = await fetch(`${BASE}${path}`, {
          headers: { authorization: `Bearer ${accessToken}` },
        });
        const body = await response.json();
        status = response.status;
        count = Array.isArray(body.items) ? body.items.length : undefined;
        if (run >= 2) times.push(performance.now() - started); // two warm-up runs
      }
      results[name] = {
        status,
        items: count,
        p50: Math.round(percentile(times, 50) * 10) / 10,
        p95: Math.round(percentile(times, 95) * 10) / 10,
      };
      log(`${name}: p50 ${results[name].p50} ms, p95 ${results[name].p95} ms (HTTP ${status})`);
    }
    await db.end();
    const report = {
      benchmark: 'search latency',
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, node: process.version },
      rows: ROWS,
      seedRowsPerSecond: Math.round(ROWS / seedSeconds),
      rollupRebuildSeconds: Math.round(rollupSeconds),
      textIndexBuildSeconds: Math.round(indexSeconds),
      partitionsIndexed: indexed,
      hotPartition: { name: hot?.name ?? null, rows: hotRows[0].n },
      runsPerQuery: RUNS,
      queries: results,
      target: {
        p95Ms: 150,
        met: Object.values(results).every((r) => r.status === 200 && r.p95 < 150),
      },
    };
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    const file = join(root, 'bench/results', `search-${report.at.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
    log(`report: ${file}`);
  } finally {
    lookout.stop();
  }
}

/** Start and end (ms) of an hour leaf (logs_pYYYYMMDD_hHH) or a one-table day (logs_pYYYYMMDD). */
function leafStart(name) {
  const [, y, m, d, h] = /^logs_p(\d{4})(\d{2})(\d{2})(?:_h(\d{2}))?$/.exec(name);
  return Date.parse(`${y}-${m}-${d}T${h ?? '00'}:00:00Z`);
}
function leafEnd(name) {
  return leafStart(name) + (/_h\d{2}$/.test(name) ? 3600_000 : 86_400_000);
}

/**
 * A fresh database has its past days as single tables (the partition manager splits days into hour
 * leaves only while they are to come). A system that has run for days has hour leaves in them too:
 * recreate the (still empty) past days of the seeded range that way, as the manager builds a day.
 */
async function splitPastDaysIntoHours(db, from) {
  const today = Math.floor(Date.now() / 86_400_000) * 86_400_000;
  for (let day = Math.floor(from / 86_400_000) * 86_400_000; day < today; day += 86_400_000) {
    const name = `logs_p${new Date(day).toISOString().slice(0, 10).replace(/-/g, '')}`;
    const iso = (ms) => new Date(ms).toISOString();
    await db.query('BEGIN');
    await db.query(`DROP TABLE IF EXISTS ${name}`);
    await db.query(
      `CREATE TABLE ${name} (LIKE logs INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES) PARTITION BY RANGE (ts)`,
    );
    for (let hour = 0; hour < 24; hour++) {
      const start = day + hour * 3600_000;
      await db.query(
        `CREATE TABLE ${name}_h${String(hour).padStart(2, '0')} PARTITION OF ${name} FOR VALUES FROM ('${iso(start)}') TO ('${iso(start + 3600_000)}')`,
      );
    }
    await db.query(
      `ALTER TABLE logs ATTACH PARTITION ${name} FOR VALUES FROM ('${iso(day)}') TO ('${iso(day + 86_400_000)}')`,
    );
    await db.query('COMMIT');
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
