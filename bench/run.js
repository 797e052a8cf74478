#!/usr/bin/env node
// `npm run bench`: end-to-end ingest throughput and ingest→searchable latency over HTTP, against
// the bare COPY ceiling of this machine measured into the same table in the same run.
//
// It starts its own api + worker from dist/ (building first if needed) on a fresh database
// `lookout_bench` and Redis prefix `lookout-bench`, unless BENCH_URL points at a running system
// (then BENCH_API_KEY is needed and the COPY ceiling uses DATABASE_URL).
//
// Settings (env): BENCH_LINES (400000), BENCH_REQUEST_LINES (5000), BENCH_CONCURRENCY (4),
// BENCH_PORT (8181), WORKER_CONCURRENCY (passed to the worker).
// Writes bench/results/<timestamp>.json and prints a summary.
const { spawn, spawnSync } = require('node:child_process');
const { mkdirSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const { randomUUID } = require('node:crypto');
const { Client } = require('pg');
const { from: copyFrom } = require('pg-copy-streams');
const { pipeline } = require('node:stream/promises');
const { Readable } = require('node:stream');
const { fileTail, syslogTcp, syslogUdp } = require('./sources');
const { rsyslogPeer } = require('./rsyslog');
const { mkdtempSync, rmSync } = require('node:fs');

const root = join(__dirname, '..');
const LINES = Number(process.env.BENCH_LINES ?? 400_000);
const REQUEST_LINES = Number(process.env.BENCH_REQUEST_LINES ?? 5000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const PORT = Number(process.env.BENCH_PORT ?? 8181);
const STEADY_RATE = Number(process.env.BENCH_STEADY_RATE ?? 10_000);
const STEADY_SECONDS = Number(process.env.BENCH_STEADY_SECONDS ?? 10);
const SERVER = process.env.BENCH_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const DATABASE_URL = process.env.BENCH_URL ? process.env.DATABASE_URL : `${SERVER}/lookout_bench`;
const BASE = process.env.BENCH_URL ?? `http://127.0.0.1:${PORT}`;
const SYSLOG_PORT = Number(process.env.BENCH_SYSLOG_PORT ?? 5515);
const SYSLOG_LINES = Number(process.env.BENCH_SYSLOG_LINES ?? 400_000);
const UDP_RATE = Number(process.env.BENCH_UDP_RATE ?? 25_000);
const UDP_SECONDS = Number(process.env.BENCH_UDP_SECONDS ?? 8);
/** Worker processes to start (scale-out: `npm run bench:scale` runs 1, 2 and 3). */
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
/** `http`: only the HTTP throughput phase (used by bench/scale.js). */
const ONLY = process.env.BENCH_ONLY ?? 'all';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (message) =>
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

const PATHS = [
  '/api/orders',
  '/api/orders/42',
  '/api/users',
  '/login',
  '/static/app.js',
  '/api/search?q=shoes',
];
const MESSAGES = [
  'request served',
  'upstream slow',
  'cache miss',
  'payment declined',
  'user signed in',
];
/** A realistic JSON log line (~220 bytes), as an application logger would write it. */
function makeLine(i, now) {
  const status = i % 50 === 0 ? 503 : i % 17 === 0 ? 404 : 200;
  return JSON.stringify({
    ts: new Date(now - (LINES - i)).toISOString(),
    level: status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info',
    msg: `${MESSAGES[i % MESSAGES.length]} seq=${i}`,
    method: i % 4 === 0 ? 'POST' : 'GET',
    path: PATHS[i % PATHS.length],
    status,
    latency_ms: (i * 7) % 900,
    host: `web-${i % 8}`,
    request_id: `r${i.toString(36)}x${(i * 2654435761) % 4294967296}`,
  });
}

function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function resetDatabase() {
  const admin = new Client({ connectionString: `${SERVER}/postgres` });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS lookout_bench WITH (FORCE)');
  await admin.end();
  const redis = spawnSync('redis-cli', ['--scan', '--pattern', 'lookout-bench:*'], {
    encoding: 'utf8',
  });
  const keys = redis.stdout.split('\n').filter(Boolean);
  for (let i = 0; i < keys.length; i += 500)
    spawnSync('redis-cli', ['del', ...keys.slice(i, i + 500)]);
}

function startProcess(name, file, env) {
  const child = spawn(process.execPath, [file], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on(
    'data',
    (chunk) => process.env.BENCH_VERBOSE && process.stdout.write(`${name} | ${chunk}`),
  );
  child.stderr.on('data', (chunk) => process.stderr.write(`${name} | ${chunk}`));
  return child;
}

/** CPU seconds and peak RSS of a process from /proc (Linux). */
function processStats(pid) {
  try {
    const stat = require('node:fs')
      .readFileSync(`/proc/${pid}/stat`, 'utf8')
      .split(') ')[1]
      .split(' ');
    const status = require('node:fs').readFileSync(`/proc/${pid}/status`, 'utf8');
    const ticks = 100;
    return {
      cpuSeconds: (Number(stat[11]) + Number(stat[12])) / ticks,
      peakRssMb: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024,
    };
  } catch {
    return undefined;
  }
}

async function json(response) {
  const text = await response.text();
  if (!response.ok) throw new Error(`${response.status} ${text}`);
  return JSON.parse(text);
}

async function storedLines(db, source) {
  return Number(
    (await db.query('SELECT count(*) AS n FROM logs WHERE source = $1', [source])).rows[0].n,
  );
}

async function main() {
  const children = [];
  let apiKey = process.env.BENCH_API_KEY;
  let accessToken = process.env.BENCH_TOKEN;
  if (!process.env.BENCH_URL) {
    // Always rebuild (swc takes under a second): a stale dist/ would measure old code.
    log('building the server');
    const build = spawnSync('npm', ['run', 'build:server'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('build failed');
    await resetDatabase();
    const env = {
      PORT: String(PORT),
      SYSLOG_PORT: String(SYSLOG_PORT),
      DATABASE_URL,
      REDIS_PREFIX: 'lookout-bench',
      ADMIN_PASSWORD: 'bench-password',
      LOG_LEVEL: 'warn',
    };
    children.push({
      name: 'api',
      child: startProcess('api', join(root, 'dist/apps/api/src/main.js'), env),
    });
    await sleep(300); // the api creates and migrates the database; the worker waits on the same lock
    for (let n = 1; n <= WORKERS; n++) {
      const name = WORKERS === 1 ? 'worker' : `worker-${n}`;
      children.push({
        name,
        child: startProcess(name, join(root, 'dist/apps/worker/src/main.js'), env),
      });
    }
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${BASE}/health`)).ok) break;
      } catch {
        /* not up yet */
      }
      if (i > 300) throw new Error('the api did not become healthy in 30 s');
      await sleep(100);
    }
    ({ accessToken } = await json(
      await fetch(`${BASE}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'bench-password' }),
      }),
    ));
    ({ key: apiKey } = await json(
      await fetch(`${BASE}/api/v1/api-keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body: JSON.stringify({ name: 'bench' }),
      }),
    ));
  }
  // Parsing throughput per built-in format, on one core (its own report, summarised in ours).
  log('parsing throughput per format (bench/parsing.js)');
  const parsingRun =
    ONLY === 'all'
      ? spawnSync(process.execPath, [join(__dirname, 'parsing.js')], { encoding: 'utf8' })
      : { stdout: '' };
  process.stdout.write(parsingRun.stdout);
  const parsingReport = /parsing-[^\s]+\.json/.exec(parsingRun.stdout)?.[0];
  const parsing = parsingReport
    ? JSON.parse(
        require('node:fs').readFileSync(join(root, 'bench/results', parsingReport), 'utf8'),
      )
    : undefined;

  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  await sleep(1000); // let the worker finish booting

  // Request bodies are made before the clock starts, so the client's own work is not counted.
  const now = Date.now();
  const bodies = [];
  for (let start = 0; start < LINES; start += REQUEST_LINES) {
    const lines = [];
    for (let i = start; i < Math.min(LINES, start + REQUEST_LINES); i++)
      lines.push(makeLine(i, now));
    bodies.push(lines.join('\n'));
  }
  const bytes = bodies.reduce((sum, body) => sum + Buffer.byteLength(body), 0);
  log(
    `sending ${LINES} lines (${(bytes / 1e6).toFixed(1)} MB NDJSON) in ${bodies.length} requests, ${CONCURRENCY} at a time`,
  );

  // Latency probes: a single tagged line every 200 ms, timed until the search API returns it.
  const probeLatencies = [];
  let probing = true;
  const probe = async () => {
    const tag = `probe${randomUUID().replace(/-/g, '')}`;
    const started = performance.now();
    await json(
      await fetch(`${BASE}/api/v1/ingest?source=bench-probe`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'x-api-key': apiKey },
        body: `latency probe ${tag}`,
      }),
    );
    for (;;) {
      const found = await json(
        await fetch(`${BASE}/api/v1/logs?source=bench-probe&q=${tag}&limit=1`, {
          headers: { 'x-api-key': apiKey },
        }),
      );
      if (found.items.length > 0) return performance.now() - started;
      await sleep(5);
    }
  };
  const probeLoop = (async () => {
    while (probing) {
      probeLatencies.push(await probe());
      await sleep(200);
    }
  })();

  const started = performance.now();
  let next = 0;
  let accepted = 0;
  let retries = 0;
  const sender = async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      for (;;) {
        const response = await fetch(`${BASE}/api/v1/ingest?source=bench`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-ndjson', 'x-api-key': apiKey },
          body,
        });
        if (response.status === 202) {
          accepted += (await response.json()).accepted;
          break;
        }
        if (response.status !== 429 && response.status !== 503)
          throw new Error(`ingest: ${response.status} ${await response.text()}`);
        retries++;
        await sleep(Number(response.headers.get('retry-after') ?? 1) * 1000);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, sender));
  const acceptedAt = performance.now();
  log(
    `all ${accepted} lines accepted in ${((acceptedAt - started) / 1000).toFixed(2)} s; waiting until stored`,
  );

  let stored = 0;
  let lastReport = 0;
  for (;;) {
    stored = await storedLines(db, 'bench');
    if (stored >= LINES) break;
    if (performance.now() - lastReport > 2000) {
      log(`stored ${stored} / ${LINES}`);
      lastReport = performance.now();
    }
    if (performance.now() - acceptedAt > 600_000)
      throw new Error(`only ${stored} of ${LINES} lines stored after 10 min`);
    await sleep(50);
  }
  const storedAt = performance.now();
  probing = false;
  await probeLoop;
  const loadedProbes = [...probeLatencies];

  const scenarios =
    ONLY === 'all' ? await sourceScenarios({ db, accessToken, apiKey, probe }) : undefined;
  const { tcp, rsyslog, udp, fileResult, together } = scenarios ?? {};
  const steadyProbes = scenarios?.steadyProbes ?? [];
  const steadySent = scenarios?.steadySent ?? 0;
  const steadyStored = scenarios?.steadyStored ?? 0;
  const idleProbes = scenarios?.idleProbes ?? [];
  await sleep(500);
  const finalCount = await storedLines(db, 'bench');
  const distinct = Number(
    (
      await db.query(
        `SELECT count(DISTINCT fields->>'request_id') AS n FROM logs WHERE source = 'bench'`,
      )
    ).rows[0].n,
  );
  const processes = Object.fromEntries(
    children.map(({ name, child }) => [name, processStats(child.pid)]),
  );

  // The bare COPY ceiling: the same kind of rows straight into the same table, one connection.
  log('measuring the bare COPY ceiling into the same table');
  const copyRows = LINES;
  const copyBatch = 5000;
  const ids = await db.query(`SELECT nextval('logs_id_seq') AS first`);
  let id = Number(ids.rows[0].first) + 1_000_000_000;
  const copyStarted = performance.now();
  for (let start = 0; start < copyRows; start += copyBatch) {
    const rows = [];
    for (let i = start; i < Math.min(copyRows, start + copyBatch); i++) {
      const status = i % 50 === 0 ? 503 : 200;
      const ts = new Date(now - (copyRows - i)).toISOString();
      rows.push(
        [
          id++,
          ts,
          ts,
          status >= 500 ? 3 : 6,
          'bench-copy',
          `web-${i % 8}`,
          `${MESSAGES[i % 5]} seq=${i}`,
          '\\N',
          status,
          'GET',
          PATHS[i % PATHS.length],
          (i * 7) % 900,
          JSON.stringify({ request_id: `c${i}` }),
          '\\N',
        ].join('\t'),
      );
    }
    const stream = db.query(
      copyFrom(
        'COPY logs (id, ts, received_at, level, source, host, message, raw, status_code, method, path, latency_ms, fields, parse_error) FROM STDIN',
      ),
    );
    await pipeline(Readable.from([rows.join('\n') + '\n']), stream);
  }
  const copySeconds = (performance.now() - copyStarted) / 1000;

  const e2eSeconds = (storedAt - started) / 1000;
  const result = {
    benchmark: 'foundation: HTTP ingest end to end',
    at: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
    settings: {
      lines: LINES,
      requestLines: REQUEST_LINES,
      concurrency: CONCURRENCY,
      workerConcurrency: process.env.WORKER_CONCURRENCY ?? '2 (default)',
      format: 'NDJSON',
    },
    http: {
      linesPerSecond: Math.round(LINES / e2eSeconds),
      secondsFirstRequestToLastStored: Number(e2eSeconds.toFixed(2)),
      secondsToAcceptAll: Number(((acceptedAt - started) / 1000).toFixed(2)),
      acceptedLines: accepted,
      storedLines: finalCount,
      distinctLines: distinct,
      lost: LINES - distinct,
      duplicated: finalCount - distinct,
      retriesAfterBackpressure: retries,
      megabytesPerSecond: Number((bytes / 1e6 / e2eSeconds).toFixed(1)),
    },
    latencyMs: {
      // Under full load a probe waits behind the whole backlog: this is queueing time.
      underFullLoad: latencySummary(loadedProbes),
      steady: {
        linesPerSecond: STEADY_RATE,
        seconds: STEADY_SECONDS,
        linesSent: steadySent,
        linesStored: steadyStored,
        ...latencySummary(steadyProbes),
      },
      idle: latencySummary(idleProbes),
    },
    sources: {
      syslogTcp: tcp,
      rsyslogPeer: rsyslog,
      syslogUdp: udp,
      fileTail: fileResult,
      together,
    },
    workers: WORKERS,
    parsing: parsing && { formats: parsing.formats, autoDetect: parsing.autoDetect },
    copyCeiling: {
      rows: copyRows,
      batch: copyBatch,
      rowsPerSecond: Math.round(copyRows / copySeconds),
    },
    ratioToCopyCeiling: Number((LINES / e2eSeconds / (copyRows / copySeconds)).toFixed(2)),
    processes,
    target: {
      linesPerSecond: 20_000,
      met: LINES / e2eSeconds >= 20_000 && LINES - distinct === 0 && finalCount === distinct,
    },
  };
  await db.end();
  for (const { child } of children) child.kill('SIGTERM');

  mkdirSync(join(root, 'bench/results'), { recursive: true });
  const file = join(root, 'bench/results', `${result.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
  log(
    `HTTP end to end: ${result.http.linesPerSecond} lines/s (COPY ceiling ${result.copyCeiling.rowsPerSecond} rows/s, ratio ${result.ratioToCopyCeiling}); lost ${result.http.lost}, duplicated ${result.http.duplicated}`,
  );
  log(
    `ingest→searchable at ${STEADY_RATE} lines/s: p50 ${result.latencyMs.steady.p50} ms, p99 ${result.latencyMs.steady.p99} ms; idle p50 ${result.latencyMs.idle.p50} ms; behind the full-load backlog p50 ${result.latencyMs.underFullLoad.p50} ms`,
  );
  log(`report: ${file}`);
  if (!result.target.met) process.exitCode = 1;
}

/**
 * Every source one at a time (syslog TCP with the rsyslog peer beside it, UDP, file), all sources
 * together, then ingest→searchable latency at a steady rate and idle.
 */
async function sourceScenarios({ db, accessToken, apiKey, probe }) {
  // Per source, one at a time: syslog TCP (one connection, as fast as it goes), syslog UDP (paced).
  const host = new URL(BASE).hostname;
  log(`syslog TCP: ${SYSLOG_LINES} RFC 5424 lines over one connection`);
  const tcp = await syslogTcp({ host, port: SYSLOG_PORT, lines: SYSLOG_LINES, db, log });
  log(`syslog TCP: ${tcp.linesPerSecond} lines/s, lost ${tcp.lost}`);
  // The peer a sysadmin would use instead, on the same stream, right after (same machine state).
  log(`rsyslog + ompgsql: the same ${SYSLOG_LINES} lines over one TCP connection`);
  const rsyslog = await rsyslogPeer({ server: SERVER, lines: SYSLOG_LINES, log });
  if (rsyslog.skipped) log(`rsyslog skipped: ${rsyslog.skipped}`);
  else {
    rsyslog.lookoutOverRsyslog = Number((tcp.linesPerSecond / rsyslog.linesPerSecond).toFixed(2));
    log(
      `rsyslog: ${rsyslog.linesPerSecond} lines/s; Lookout/rsyslog ${rsyslog.lookoutOverRsyslog}`,
    );
  }
  log(`syslog UDP: ${UDP_RATE} lines/s for ${UDP_SECONDS} s`);
  const udp = await syslogUdp({
    host,
    port: SYSLOG_PORT,
    rate: UDP_RATE,
    seconds: UDP_SECONDS,
    db,
    log,
  });
  log(`syslog UDP: stored ${udp.stored} of ${udp.sent} (loss ${udp.lossPercent}%)`);

  const benchDir = mkdtempSync(join(os.tmpdir(), 'lookout-bench-'));
  let fileResult;
  if (accessToken) {
    log(`file tail: ${SYSLOG_LINES} lines from the beginning of one file`);
    fileResult = await fileTail({
      baseUrl: BASE,
      token: accessToken,
      dir: benchDir,
      lines: SYSLOG_LINES,
      db,
      log,
    });
    log(`file tail: ${fileResult.linesPerSecond} lines/s, lost ${fileResult.lost}`);
  }

  // All sources together: HTTP, syslog TCP, syslog UDP (paced) and a file, at the same time.
  log('all sources together');
  const togetherLines = Math.round(SYSLOG_LINES / 2);
  const togetherStarted = performance.now();
  const togetherSince = new Date(Date.now() - 1000);
  const httpTogether = (async () => {
    for (let start = 0; start < togetherLines; start += REQUEST_LINES) {
      const body = [];
      for (let i = start; i < Math.min(togetherLines, start + REQUEST_LINES); i++)
        body.push(makeLine(i, Date.now()));
      for (;;) {
        const response = await fetch(`${BASE}/api/v1/ingest?source=bench-together`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-ndjson', 'x-api-key': apiKey },
          body: body.join('\n'),
        });
        if (response.status === 202) break;
        await sleep(1000);
      }
    }
  })();
  const [tcpTogether, udpTogether, fileTogether] = await Promise.all([
    syslogTcp({
      host,
      port: SYSLOG_PORT,
      lines: togetherLines,
      db,
      log,
      app: 'bench-tcp-together',
    }),
    syslogUdp({
      host,
      port: SYSLOG_PORT,
      rate: 5000,
      seconds: 4,
      db,
      log,
      app: 'bench-udp-together',
    }),
    accessToken
      ? fileTail({
          baseUrl: BASE,
          token: accessToken,
          dir: benchDir,
          lines: togetherLines,
          db,
          log,
          name: 'bench-file-together',
        })
      : undefined,
    httpTogether,
  ]);
  const httpTogetherStored = await waitStoredCount(
    db,
    'bench-together',
    togetherSince,
    togetherLines,
  );
  const togetherSeconds = (performance.now() - togetherStarted) / 1000;
  const togetherTotal =
    tcpTogether.stored + udpTogether.stored + (fileTogether?.stored ?? 0) + httpTogetherStored;
  const together = {
    seconds: Number(togetherSeconds.toFixed(2)),
    linesStored: togetherTotal,
    linesPerSecond: Math.round(togetherTotal / togetherSeconds),
    http: { sent: togetherLines, stored: httpTogetherStored },
    syslogTcp: { sent: togetherLines, stored: tcpTogether.stored },
    syslogUdp: {
      sent: udpTogether.sent,
      stored: udpTogether.stored,
      lossPercent: udpTogether.lossPercent,
    },
    file: fileTogether && { written: togetherLines, stored: fileTogether.stored },
  };
  log(`all sources together: ${together.linesPerSecond} lines/s over ${together.seconds} s`);
  rmSync(benchDir, { recursive: true, force: true });

  // Latency at a steady load the system sustains (STEADY_RATE lines/s), as ops traffic usually is:
  // 1 request of STEADY_RATE/10 lines every 100 ms, probes running beside it.
  log(`steady phase: ${STEADY_RATE} lines/s for ${STEADY_SECONDS} s with latency probes`);
  const steadyProbes = [];
  let steadySent = 0;
  let steadyRunning = true;
  const steadyProbeLoop = (async () => {
    while (steadyRunning) {
      steadyProbes.push(await probe());
      await sleep(100);
    }
  })();
  const steadyStarted = performance.now();
  for (let tick = 0; tick < STEADY_SECONDS * 10; tick++) {
    const lines = [];
    for (let i = 0; i < STEADY_RATE / 10; i++)
      lines.push(makeLine(LINES + steadySent + i, Date.now()));
    await json(
      await fetch(`${BASE}/api/v1/ingest?source=bench-steady`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson', 'x-api-key': apiKey },
        body: lines.join('\n'),
      }),
    );
    steadySent += lines.length;
    const wait = steadyStarted + (tick + 1) * 100 - performance.now();
    if (wait > 0) await sleep(wait);
  }
  steadyRunning = false;
  await steadyProbeLoop;
  for (let i = 0; (await storedLines(db, 'bench-steady')) < steadySent; i++) {
    if (i > 1200) throw new Error('steady-phase lines were not all stored within 60 s');
    await sleep(50);
  }
  const steadyStored = await storedLines(db, 'bench-steady');

  // Latency on an idle system: what a user sees for a single line.
  const idleProbes = [];
  for (let i = 0; i < 30; i++) {
    idleProbes.push(await probe());
    await sleep(50);
  }
  return {
    tcp,
    rsyslog,
    udp,
    fileResult,
    together,
    steadyProbes,
    steadySent,
    steadyStored,
    idleProbes,
  };
}

async function waitStoredCount(db, source, since, expected) {
  for (let i = 0; i < 1200; i++) {
    const { rows } = await db.query(
      'SELECT count(*) AS n FROM logs WHERE source = $1 AND received_at >= $2',
      [source, since],
    );
    if (Number(rows[0].n) >= expected) return Number(rows[0].n);
    await sleep(50);
  }
  const { rows } = await db.query(
    'SELECT count(*) AS n FROM logs WHERE source = $1 AND received_at >= $2',
    [source, since],
  );
  return Number(rows[0].n);
}

function latencySummary(samples) {
  return {
    samples: samples.length,
    p50: round(percentile(samples, 50)),
    p99: round(percentile(samples, 99)),
  };
}

function round(value) {
  return value === null ? null : Math.round(value * 10) / 10;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
