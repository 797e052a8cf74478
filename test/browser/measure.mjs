#!/usr/bin/env node
/* global process, console, setTimeout, performance, fetch */
// Dashboard latency, measured in Chromium against a running Lookout (`node test/browser/measure.mjs`):
//   1. live tail: HTTP POST of a line → the line painted in the live-tail list (p50/p95 of
//      MEASURE_TAIL_LINES, default 50), idle and under MEASURE_TAIL_LOAD lines/s of other traffic;
//   2. live tail with 100,000 lines streamed in: frame times while they arrive and during a fast
//      scroll (20 rows a frame), rows in the DOM, lines kept;
//   3. search: Search clicked → matching rows painted with their highlights (p50/p95 of
//      MEASURE_SEARCH_RUNS per query) on MEASURE_ROWS lines seeded with COPY over 48 h (default
//      1,000,000; the target is on 10,000,000).
// Starts api + worker from dist/ on a fresh database (bench/system.js), serves dist/frontend (built
// if missing; FRONTEND_DIR to serve another build), and writes test-artifacts/measure-<time>.json.
// Never asserts: it measures.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { Client } = require('pg');
const { from: copyFrom } = require('pg-copy-streams');
const { chromium } = require('playwright-core');
const { startLookout } = require('../../bench/system.js');

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const ROWS = Number(process.env.MEASURE_ROWS ?? 1_000_000);
const TAIL_LINES = Number(process.env.MEASURE_TAIL_LINES ?? 50);
const TAIL_LOAD = Number(process.env.MEASURE_TAIL_LOAD ?? 1000);
const STREAM_LINES = Number(process.env.MEASURE_STREAM_LINES ?? 100_000);
const SEARCH_RUNS = Number(process.env.MEASURE_SEARCH_RUNS ?? 10);
const PORT = Number(process.env.MEASURE_PORT ?? 8391);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BASE = `http://127.0.0.1:${PORT}`;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (message) =>
  console.log(`[dashboard-measure ${new Date().toISOString().slice(11, 19)}] ${message}`);
const round = (value) => Math.round(value * 10) / 10;
function stats(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  return { n: values.length, p50: round(at(50)), p95: round(at(95)), max: round(sorted.at(-1)) };
}

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
const PATHS = ['/api/orders', '/api/users', '/login', '/api/search', '/api/cart', '/health'];

/** One COPY row; planted: `quokka` in 10 rows, `timeout` in 1 %, `payment declined` in 0.5 %. */
function row(i, ts) {
  const status = i % 50 === 0 ? 503 : i % 17 === 0 ? 404 : 200;
  const level = status >= 500 ? 3 : status >= 400 ? 4 : 6;
  let message = `${i % 4 === 0 ? 'POST' : 'GET'} ${PATHS[i % PATHS.length]} ${status} ${WORDS[i % 10]} ${WORDS[(i * 7) % 10]} req=${i.toString(36)}`;
  if (i % 100 === 37) message += ' upstream timeout after 30s';
  if (i % 200 === 11) message += ' payment declined by bank';
  if (i % Math.max(1, Math.floor(ROWS / 10)) === 5) message += ' quokka sighted';
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
    PATHS[i % PATHS.length],
    (i * 7) % 900,
    JSON.stringify({ tenant: `t${i % 1000}` }),
    '\\N',
  ].join('\t');
}

async function seed(databaseUrl) {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const now = Date.now();
  const span = 48 * 3_600_000;
  const started = performance.now();
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
    if ((start / 50_000) % 40 === 0) log(`  ${start.toLocaleString()} rows`);
  }
  await db.query(`SELECT setval('logs_id_seq', $1)`, [ROWS + 1]);
  // Closed days get their text index, as the partition manager builds it.
  const today = `logs_p${new Date(now).toISOString().slice(0, 10).replace(/-/g, '')}`;
  const { rows: closed } = await db.query(
    `SELECT c.relname AS name FROM pg_inherits JOIN pg_class c ON c.oid = inhrelid
       JOIN pg_class p ON p.oid = inhparent
      WHERE p.relname = 'logs' AND c.relname ~ '^logs_p\\d{8}$' AND c.relname < $1`,
    [today],
  );
  for (const { name } of closed)
    await db.query(
      `CREATE INDEX IF NOT EXISTS ${name}_tsv_idx ON ${name} USING gin (log_tsv(message))`,
    );
  await db.query('VACUUM ANALYZE logs');
  await db.end();
  return Math.round((performance.now() - started) / 1000);
}

async function post(token, lines, source = 'measure') {
  const response = await fetch(`${BASE}/api/v1/ingest?source=${source}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
    body: lines.join('\n') + '\n',
  });
  if (response.status !== 202) throw new Error(`ingest answered ${response.status}`);
}

/** In the page: the time (Date.now()) each `probe-<n>` row was first painted. */
const WATCH_PROBES = `(() => {
  window.__probes = {};
  new MutationObserver((mutations) => {
    for (const m of mutations) for (const node of m.addedNodes) {
      if (!(node instanceof HTMLElement)) continue;
      const match = /lat-probe-([0-9]+-[0-9]+)/.exec(node.textContent ?? '');
      if (match && !(match[1] in window.__probes)) {
        window.__probes[match[1]] = 0;
        requestAnimationFrame(() => { window.__probes[match[1]] = Date.now(); });
      }
    }
  }).observe(document.querySelector('[data-testid=tail-list]'), { childList: true, subtree: true });
})()`;

async function tailLatency(page, token, load) {
  let loading = load > 0;
  const background = (async () => {
    let seq = 0;
    while (loading) {
      const lines = [];
      for (let i = 0; i < load / 10; i++) lines.push(`background line ${seq++} of the load`);
      void post(token, lines, 'load').catch(() => undefined);
      await sleep(100);
    }
  })();
  const delays = [];
  for (let n = 0; n < TAIL_LINES; n++) {
    const id = `${load}-${n}`;
    const sent = Date.now();
    await post(token, [`lat-probe-${id} measured line`]);
    for (let wait = 0; wait < 5000; wait += 5) {
      const at = await page.evaluate(`window.__probes[${JSON.stringify(id)}] ?? 0`);
      if (at > 0) {
        delays.push(at - sent);
        break;
      }
      await sleep(5);
    }
    await sleep(100);
  }
  loading = false;
  await background;
  return { ...stats(delays), lost: TAIL_LINES - delays.length };
}

/** In the page: frame gaps (ms) from requestAnimationFrame until `window.__stopFrames()`. */
const RECORD_FRAMES = `(() => {
  window.__frames = [];
  let last = performance.now();
  let on = true;
  const tick = (now) => { window.__frames.push(now - last); last = now; if (on) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  window.__stopFrames = () => { on = false; return window.__frames; };
})()`;

async function streamSmoothness(page, token) {
  await page.evaluate(RECORD_FRAMES);
  const started = performance.now();
  for (let sent = 0; sent < STREAM_LINES; sent += 2000) {
    const lines = [];
    for (let i = sent; i < Math.min(STREAM_LINES, sent + 2000); i++)
      lines.push(`stream line ${i} GET /api/orders 200 served in ${i % 300} ms`);
    await post(token, lines, 'stream');
  }
  // Until the list has taken everything in (or stopped growing).
  let kept = 0;
  for (let still = 0; still < 20;) {
    const text = await page.getByTestId('tail-count').innerText();
    const now = Number(text.split('/')[0].replace(/\D/g, ''));
    still = now === kept ? still + 1 : 0;
    kept = now;
    if (kept >= STREAM_LINES) break;
    await sleep(250);
  }
  const streamSeconds = (performance.now() - started) / 1000;
  const streaming = await page.evaluate('window.__stopFrames()');
  const domRows = await page.locator('[data-testid=tail-row]').count();
  const skipped = (await page.getByTestId('tail-skipped').allInnerTexts())
    .map((text) => Number(text.replace(/,/g, '').match(/\d+/)?.[0] ?? 0))
    .reduce((a, b) => a + b, 0);
  // A fast scroll up from the bottom: 480 px (20 rows) per frame for 600 frames.
  await page.evaluate(RECORD_FRAMES);
  await page.evaluate(`new Promise((resolve) => {
    const el = document.querySelector('[data-testid=tail-list]');
    let frames = 0;
    const step = () => {
      el.scrollTop -= 480;
      if (++frames < 600 && el.scrollTop > 0) requestAnimationFrame(step); else resolve();
    };
    requestAnimationFrame(step);
  })`);
  const scrolling = await page.evaluate('window.__stopFrames()');
  return {
    linesSent: STREAM_LINES,
    linesKept: kept,
    skippedMarkers: skipped,
    seconds: round(streamSeconds),
    rowsInDom: domRows,
    frameMsWhileStreaming: stats(streaming),
    framesOver50msWhileStreaming: streaming.filter((f) => f > 50).length,
    frameMsWhileScrolling: stats(scrolling),
    framesScrolled: scrolling.length,
  };
}

/**
 * In the page: click Search, then resolve with the ms until the results list is no longer busy
 * and its first row (with a <mark> for `term`) is painted.
 */
const TIME_SEARCH = (term) => `new Promise((resolve) => {
  const results = () => document.querySelector('section.results');
  performance.clearResourceTimings();
  const started = performance.now();
  let seenBusy = false;
  document.querySelector('[data-testid=search-submit]').click();
  // The search request itself (server + network), to tell it from rendering.
  const requestMs = () => {
    const entry = performance.getEntriesByType('resource').find((e) => e.name.includes('/api/v1/logs?'));
    return entry ? entry.duration : -1;
  };
  const check = () => {
    const section = results();
    const busy = section.getAttribute('aria-busy') === 'true';
    if (busy) seenBusy = true;
    const row = document.querySelector('[data-testid=result-row] mark');
    const empty = document.querySelector('[data-testid=search-empty]');
    const done = seenBusy && !busy && !section.classList.contains('is-stale') &&
      ((row && row.textContent.toLowerCase().includes(${JSON.stringify(term)})) || empty);
    if (done)
      requestAnimationFrame(() =>
        resolve({ ms: performance.now() - started, requestMs: requestMs(), empty: !!empty }),
      );
    else if (performance.now() - started > 30000) resolve({ ms: -1, requestMs: -1, empty: false });
    else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})`;

/** Before the app loads: count the requests in flight, so a run can wait for a quiet page. */
const COUNT_FETCHES = `(() => {
  window.__inflight = 0;
  const fetch = window.fetch.bind(window);
  window.fetch = (...args) => {
    window.__inflight++;
    return fetch(...args).finally(() => { window.__inflight--; });
  };
})()`;

/** Until no request has been in flight for 500 ms (the last search's chart and facets too). */
async function quiet(page) {
  for (let calm = 0; calm < 10;) {
    calm = (await page.evaluate('window.__inflight')) === 0 ? calm + 1 : 0;
    await sleep(50);
  }
}

async function searchLatency(page) {
  const queries = {
    'rare word (10 lines)': ['quokka', 'quokka'],
    'word in 1 % of lines': ['timeout', 'timeout'],
    phrase: ['"payment declined"', 'payment declined'],
  };
  const results = {};
  for (const [name, [q, term]] of Object.entries(queries)) {
    await page.goto(`${BASE}/#/search?q=${encodeURIComponent(q)}&from=now-24h&to=now`);
    await page.getByTestId('result-row').first().waitFor({ timeout: 60_000 });
    await quiet(page);
    const times = [];
    const requests = [];
    for (let run = 0; run < SEARCH_RUNS + 1; run++) {
      const { ms, requestMs } = await page.evaluate(TIME_SEARCH(term));
      // The first run warms up.
      if (run > 0 && ms >= 0) {
        times.push(ms);
        if (requestMs >= 0) requests.push(requestMs);
      }
      await quiet(page);
    }
    results[name] = { painted: stats(times), searchRequest: stats(requests) };
    log(
      `search ${name}: painted p50 ${results[name].painted?.p50} ms, p95 ${results[name].painted?.p95} ms (request p50 ${results[name].searchRequest?.p50} ms)`,
    );
  }
  return results;
}

/** Refuses to start on a port in use: /health would answer from another Lookout. */
function ensurePortFree(port) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', () =>
      reject(new Error(`port ${port} is in use: set MEASURE_PORT to a free port`)),
    );
    server.listen(port, '127.0.0.1', () => server.close(resolve));
  });
}

async function main() {
  await ensurePortFree(PORT);
  const loadAtStart = loadavg().map(round);
  const frontendDir = process.env.FRONTEND_DIR ?? join(root, 'dist/frontend');
  if (!existsSync(join(frontendDir, 'index.html'))) {
    log('building the dashboard');
    spawnSync(
      'npx',
      ['vite', 'build', '--config', 'frontend/vite.config.mts', '--logLevel', 'warn'],
      {
        cwd: root,
        stdio: 'inherit',
      },
    );
  }
  process.env.FRONTEND_DIR = frontendDir;
  const lookout = await startLookout({ name: 'dashboard-measure', port: PORT });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    log(`seeding ${ROWS.toLocaleString()} lines with COPY`);
    const seedSeconds = await seed(lookout.databaseUrl);
    log(`seeded and indexed in ${seedSeconds} s`);

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.addInitScript(COUNT_FETCHES);
    await page.goto(`${BASE}/`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('bench-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('current-user').waitFor();

    await page.goto(`${BASE}/#/live`);
    await page.getByTestId('tail-status').getByText('Live').waitFor();
    await sleep(1500); // the worker notices the subscriber within a second
    await page.evaluate(WATCH_PROBES);
    log('live tail latency, idle');
    const idle = await tailLatency(page, lookout.accessToken, 0);
    log(`  p50 ${idle.p50} ms, p95 ${idle.p95} ms`);
    log(`live tail latency, ${TAIL_LOAD} other lines/s`);
    const loaded = await tailLatency(page, lookout.accessToken, TAIL_LOAD);
    log(`  p50 ${loaded.p50} ms, p95 ${loaded.p95} ms`);

    log(`streaming ${STREAM_LINES.toLocaleString()} lines into the live tail`);
    await page.getByRole('button', { name: 'Clear' }).click();
    const stream = await streamSmoothness(page, lookout.accessToken);
    log(
      `  kept ${stream.linesKept}, ${stream.rowsInDom} rows in the DOM, frames p95 ${stream.frameMsWhileStreaming?.p95} ms streaming, ${stream.frameMsWhileScrolling?.p95} ms scrolling`,
    );

    log('search latency');
    const search = await searchLatency(page);

    const report = {
      measurement: 'dashboard latency in Chromium',
      at: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        node: process.version,
        // The machine is shared: its load says how much the numbers are worth.
        loadAverageAtStart: loadAtStart,
        loadAverageAtEnd: loadavg().map(round),
      },
      seededRows: ROWS,
      liveTail: {
        postToPaintedMs: { idle, [`under ${TAIL_LOAD} lines/s`]: loaded },
        target: { p95Ms: 200, goalMs: 100 },
      },
      liveTailStream: stream,
      search: { submitToPaintedMs: search, target: { ms: 300, on: '10,000,000 lines' } },
    };
    const dir = join(root, 'test-artifacts');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `measure-${report.at.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
    log(`report: ${file}`);
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await browser.close();
    lookout.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
