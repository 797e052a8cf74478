#!/usr/bin/env node
// `npm run bench`: the whole system (api + N workers) under every source at once for a fixed time,
// with the latencies an operator feels, the resources each process used, the bare COPY ceiling of
// this machine measured in the same run, and rsyslog on the same syslog TCP stream beside it.
//
// It builds (swc, < 1 s), starts its own api + workers from dist/ on a fresh database
// `lookout_bench` and Redis prefix `lookout-bench`, and runs these phases (BENCH_PHASES):
//
//   parsing  built-in format throughput on one core (bench/parsing.js, its own report).
//   (always) the COPY ceiling: 5,000-row COPY batches of the same kind of rows straight into the
//            same `logs` table over one connection, while the system is idle. The ratio is
//            sustained lines/s over this.
//   sustained  THE HEADLINE. For BENCH_SECONDS, all four sources at once: HTTP senders
//            (NDJSON, as fast as accepted, honouring 429 Retry-After), one syslog TCP connection
//            as fast as the socket accepts, syslog UDP paced at BENCH_UDP_RATE, and a file
//            appended at BENCH_FILE_RATE and tailed by a file source created through the API
//            (paced as an application writes its log: an unpaced writer would measure the disk
//            and leave a backlog whose drain would dominate the phase). Latency probes
//            (bench/probes.js) run beside it. Then the senders stop, the bench waits until
//            everything accepted is stored, and counts per source once: sent, stored, lost,
//            duplicated. Sustained lines/s = lines stored / (phase start → last line stored);
//            the per-second stored rate while sending (min/median) shows that it held.
//            BENCH_SECONDS=600 is the 10-minute soak: memory per process must stay flat (RSS
//            after the first minute, the median and the highest RSS of the second half within 10% of the
//            first half's: a garbage-collected process's RSS is a saw-tooth).
//   steady   ingest→searchable, live tail and alert latency at a rate the system sustains
//            (BENCH_STEADY_RATE over HTTP), then on the idle system.
//   sources  each source alone: HTTP (BENCH_LINES), syslog TCP (BENCH_SYSLOG_LINES, one
//            connection) and rsyslog + ompgsql on the same stream (bench/rsyslog.js; the
//            Lookout/rsyslog ratio), UDP (BENCH_SOURCES_UDP_RATE for BENCH_SOURCES_UDP_SECONDS),
//            a file source reading a file of BENCH_SYSLOG_LINES lines.
//   http     HTTP alone only (the first part of `sources`); BENCH_ONLY=http means
//            BENCH_PHASES=http (fast HTTP-only throughput, used by bench/scale.js).
//
// While waiting it reads only cheap signals (the Redis counter <prefix>:stats:pipeline
// lines_stored and the BullMQ job counts); the database is counted once per phase at the end. CPU
// and RSS of every process (api, workers, Postgres backends, Postgres server processes, Redis, the
// bench itself) are sampled every second from /proc.
//
// Settings (env):
//   BENCH_SECONDS (60)             length of the sustained phase; 600 for the 10-minute soak
//   BENCH_PHASES (parsing,sustained,steady,sources)  phases to run, in that order
//   BENCH_ONLY                     `http`: the HTTP-alone phase only (bench/scale.js)
//   BENCH_WORKERS (1)              worker processes (`npm run bench:scale` runs 1, 2, 3)
//   BENCH_CONCURRENCY (4)          HTTP requests in flight
//   BENCH_REQUEST_LINES (5000)     lines per HTTP request
//   BENCH_UDP_RATE (2000)          syslog UDP lines/s in the sustained phase
//   BENCH_FILE_RATE (5000)         lines/s appended to the tailed file in the sustained phase
//   BENCH_PROBE_INTERVAL_MS (250)  one latency probe line every …
//   BENCH_PROBE_POLL_MS (40)       the search API is asked for outstanding probes every …
//   BENCH_LIVE_TAIL (1)            0: no live-tail subscriber during the probed phases (a
//                                  subscriber makes the workers publish every stored batch)
//   BENCH_STEADY_RATE (10000), BENCH_STEADY_SECONDS (15)  the steady latency phase
//   BENCH_IDLE_PROBES (20)         probes on the idle system
//   BENCH_LINES (400000)           HTTP-alone lines
//   BENCH_SYSLOG_LINES (400000)    syslog TCP alone, rsyslog peer, file read alone
//   BENCH_SOURCES_UDP_RATE (25000), BENCH_SOURCES_UDP_SECONDS (8)  UDP alone
//   BENCH_COPY_ROWS (400000)       rows of the COPY ceiling measurement
//   BENCH_PORT (8181), BENCH_SYSLOG_PORT (5515)  the system's HTTP and syslog ports
//   BENCH_METRICS_PORT (9471)      WORKER_METRICS_PORT of the first worker (next ones +1, …)
//   BENCH_DATABASE_SERVER (postgres://postgres@127.0.0.1:5432), REDIS_URL (redis://127.0.0.1:6379)
//   WORKER_CONCURRENCY             passed to the workers (their default: 2)
//   BENCH_NODE_ARGS                extra node flags for the system's processes (e.g. --cpu-prof)
//   BENCH_VERBOSE                  echo the system's stdout (it is always in the .log files)
//   A running system instead (its database is written to; Lookout's own processes are then not
//   sampled): BENCH_URL, BENCH_ADMIN_PASSWORD, DATABASE_URL, REDIS_PREFIX (lookout),
//   BENCH_SYSLOG_PORT (5514 then).
//
// Writes bench/results/<timestamp>.json (everything, with a per-second timeline),
// bench/results/<timestamp>.md (the summary, also printed) and
// bench/results/<timestamp>.<process>.log (each system process's output; warnings and errors are
// counted in the summary). Exit code 1 only
// when lines were lost, duplicated or split for HTTP, syslog TCP or file (UDP loss is reported).
const { spawn, spawnSync } = require('node:child_process');
const {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const { Readable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const { Client } = require('pg');
const { from: copyFrom } = require('pg-copy-streams');
const Redis = require('ioredis');
const sources = require('./sources');
const { rsyslogPeer } = require('./rsyslog');
const { PipelineWatch } = require('./pipeline');
const { ResourceSampler } = require('./resources');
const { LatencyProbes } = require('./probes');
const { scrapeWorkers, workerMetricsBetween } = require('./worker-metrics');
const { evaluateTargets, integrity, renderMarkdown } = require('./report');

const root = join(__dirname, '..');
const RESULTS = join(root, 'bench/results');
/** The run's time names its files: bench/results/<STEM>.json, .md and .<process>.log. */
const RUN_AT = new Date().toISOString();
const STEM = join(RESULTS, RUN_AT.replace(/[:.]/g, '-'));
const env = process.env;
const number = (name, fallback) => Number(env[name] ?? fallback);
const EXTERNAL = env.BENCH_URL !== undefined;
const PORT = number('BENCH_PORT', 8181);
const SETTINGS = {
  seconds: number('BENCH_SECONDS', 60),
  workers: EXTERNAL ? undefined : number('BENCH_WORKERS', 1),
  workerConcurrency: env.WORKER_CONCURRENCY ?? '2 (default)',
  concurrency: number('BENCH_CONCURRENCY', 4),
  requestLines: number('BENCH_REQUEST_LINES', 5000),
  udpRate: number('BENCH_UDP_RATE', 2000),
  fileRate: number('BENCH_FILE_RATE', 5000),
  probeIntervalMs: number('BENCH_PROBE_INTERVAL_MS', 250),
  probePollMs: number('BENCH_PROBE_POLL_MS', 40),
  liveTail: env.BENCH_LIVE_TAIL !== '0',
  steadyRate: number('BENCH_STEADY_RATE', 10_000),
  steadySeconds: number('BENCH_STEADY_SECONDS', 15),
  idleProbes: number('BENCH_IDLE_PROBES', 20),
  httpLines: number('BENCH_LINES', 400_000),
  syslogLines: number('BENCH_SYSLOG_LINES', 400_000),
  sourcesUdpRate: number('BENCH_SOURCES_UDP_RATE', 25_000),
  sourcesUdpSeconds: number('BENCH_SOURCES_UDP_SECONDS', 8),
  copyRows: number('BENCH_COPY_ROWS', 400_000),
};
const PHASES = (
  env.BENCH_ONLY === 'http' ? 'http' : (env.BENCH_PHASES ?? 'parsing,sustained,steady,sources')
)
  .split(',')
  .map((phase) => phase.trim())
  .filter(Boolean);
const KNOWN_PHASES = ['parsing', 'sustained', 'steady', 'sources', 'http'];
const SERVER = env.BENCH_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const DATABASE_URL = EXTERNAL ? env.DATABASE_URL : `${SERVER}/lookout_bench`;
const REDIS_URL = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const REDIS_PREFIX = EXTERNAL ? (env.REDIS_PREFIX ?? 'lookout') : 'lookout-bench';
const BASE = env.BENCH_URL ?? `http://127.0.0.1:${PORT}`;
const SYSLOG_HOST = new URL(BASE).hostname;
const SYSLOG_PORT = number('BENCH_SYSLOG_PORT', EXTERNAL ? 5514 : 5515);
const METRICS_PORT = number('BENCH_METRICS_PORT', 9471);
/** The api keeps its live-tail subscription this long after the last client leaves (+ margin). */
const LIVE_TAIL_LINGER_MS = 11_500;

/**
 * Source and syslog app names of this run's lines. A fresh system has none from earlier runs; a
 * running one (BENCH_URL) may, so there they carry the run's id.
 */
const named = (name) => (EXTERNAL ? `${name}-${Date.parse(RUN_AT).toString(36)}` : name);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (message) =>
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
const seconds = (from, to) => Number(((to - from) / 1000).toFixed(2));
const perSecond = (lines, from, to) => Math.round(lines / ((to - from) / 1000));
const difference = (before, after) =>
  before === undefined || after === undefined ? null : after - before;

/** What the sampler records beside CPU and RSS each second: a phase's send counters. */
const live = { sent: undefined };

async function json(response) {
  const text = await response.text();
  if (!response.ok) throw new Error(`${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

// ---------- the system under test ----------

async function resetState() {
  const admin = new Client({ connectionString: `${SERVER}/postgres` });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS lookout_bench WITH (FORCE)');
  await admin.end();
  // Queued jobs of an earlier run would meet this run's batch ids.
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS_PREFIX}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A process's output goes to bench/results/<run>.<name>.log; warnings and errors are counted. */
function startProcess(name, file, extraEnv) {
  const nodeArgs = (env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, file], {
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  mkdirSync(RESULTS, { recursive: true });
  const logFile = `${STEM}.${name}.log`;
  const output = createWriteStream(logFile);
  const logged = { file: logFile, warnings: 0, errors: 0 };
  const count = (chunk) => {
    // pino levels: 40 warn, 50 error, 60 fatal (LOG_FORMAT=json, the default).
    for (const match of String(chunk).matchAll(/"level":(\d+)/g)) {
      if (match[1] === '40') logged.warnings++;
      else if (Number(match[1]) >= 50) logged.errors++;
    }
  };
  child.stdout.on('data', (chunk) => {
    output.write(chunk);
    count(chunk);
    if (env.BENCH_VERBOSE) process.stdout.write(`${name} | ${chunk}`);
  });
  child.stderr.on('data', (chunk) => {
    output.write(chunk);
    count(chunk);
    process.stderr.write(`${name} | ${chunk}`);
  });
  child.once('exit', () => output.end());
  return { name, pid: child.pid, child, logged };
}

async function login(password) {
  const { accessToken } = await json(
    await fetch(`${BASE}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    }),
  );
  return accessToken;
}

/** Builds, resets the bench's database and Redis prefix, starts api + workers, waits for /health. */
async function startProcesses({ children, metricsPorts, password }) {
  log('building the server'); // always: a stale dist/ would measure old code
  const build = spawnSync('npm', ['run', 'build:server'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');
  const busy = await fetch(`${BASE}/health`).then(
    () => true,
    () => false,
  );
  if (busy) throw new Error(`port ${PORT} already serves something: stop it or set BENCH_PORT`);
  await resetState();
  const systemEnv = {
    PORT: String(PORT),
    SYSLOG_PORT: String(SYSLOG_PORT),
    DATABASE_URL,
    REDIS_URL,
    REDIS_PREFIX,
    ADMIN_PASSWORD: password,
    LOG_LEVEL: 'warn',
  };
  children.push(startProcess('api', join(root, 'dist/apps/api/src/main.js'), systemEnv));
  await sleep(300); // the api creates and migrates the database; workers wait on the same lock
  for (let n = 1; n <= SETTINGS.workers; n++) {
    const name = SETTINGS.workers === 1 ? 'worker' : `worker-${n}`;
    const port = METRICS_PORT + n - 1;
    metricsPorts[port] = name;
    children.push(
      startProcess(name, join(root, 'dist/apps/worker/src/main.js'), {
        ...systemEnv,
        WORKER_METRICS_PORT: String(port),
      }),
    );
  }
  for (let i = 0; ; i++) {
    const healthy = await fetch(`${BASE}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) break;
    if (i > 300) throw new Error('the api did not become healthy in 30 s');
    await sleep(100);
  }
}

/** Starts api + workers (or finds BENCH_URL), signs in, creates the bench's API key. */
async function startSystem() {
  const children = [];
  const metricsPorts = {};
  const password = EXTERNAL ? env.BENCH_ADMIN_PASSWORD : 'bench-password';
  if (EXTERNAL && !password) throw new Error('BENCH_URL needs BENCH_ADMIN_PASSWORD');
  // Access tokens live 15 minutes: every use that needs one (creating sources and rules) signs in.
  const token = () => login(password);
  try {
    if (!EXTERNAL) await startProcesses({ children, metricsPorts, password });
    else if (env.BENCH_METRICS_PORT) metricsPorts[METRICS_PORT] = 'worker';
    const { key: apiKey } = await json(
      await fetch(`${BASE}/api/v1/api-keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await token()}` },
        body: JSON.stringify({ name: `bench ${new Date().toISOString()}` }),
      }),
    );
    return {
      children,
      metricsPorts,
      apiKey,
      token,
      stop: () => children.forEach(({ child }) => child.kill('SIGTERM')),
    };
  } catch (error) {
    for (const { child } of children) child.kill('SIGTERM');
    throw error;
  }
}

async function deleteSource(system, id) {
  await fetch(`${BASE}/api/v1/sources/${id}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${await system.token()}` },
  });
}

// ---------- phases ----------

function parsingPhase() {
  log('parsing throughput per format, one core (bench/parsing.js)');
  const run = spawnSync(process.execPath, [join(__dirname, 'parsing.js')], { encoding: 'utf8' });
  process.stdout.write(run.stdout);
  const file = /parsing-[^\s]+\.json/.exec(run.stdout)?.[0];
  if (!file) return { failed: run.stderr.slice(-2000) };
  const parsing = JSON.parse(readFileSync(join(RESULTS, file), 'utf8'));
  return { report: file, formats: parsing.formats, autoDetect: parsing.autoDetect };
}

/**
 * The bare COPY ceiling: the rows Lookout stores for the HTTP NDJSON lines (same columns, the JSON
 * line as `raw`, the leftover field in `fields`), built before the clock starts and COPYed straight
 * into the same table in 5,000-row statements over one connection.
 */
async function copyCeiling(db) {
  log(`COPY ceiling: ${SETTINGS.copyRows} rows into logs, one connection, system idle`);
  const batch = 5000;
  const { rows } = await db.query(`SELECT nextval('logs_id_seq') AS first`);
  let id = Number(rows[0].first) + 1_000_000_000; // far from the ids the workers take
  const escape = (text) => text.replace(/\\/g, '\\\\');
  const receivedAt = new Date().toISOString();
  const bodies = [];
  for (let start = 0; start < SETTINGS.copyRows; start += batch) {
    const lines = sources
      .ndjsonBody(start, Math.min(batch, SETTINGS.copyRows - start))
      .split('\n')
      .map((raw) => {
        const line = JSON.parse(raw);
        return [
          id++,
          line.ts,
          receivedAt,
          line.level === 'error' ? 3 : line.level === 'warn' ? 4 : 6,
          'bench-copy',
          line.host,
          line.msg,
          escape(raw),
          line.status,
          line.method,
          line.path,
          line.latency_ms,
          escape(JSON.stringify({ request_id: line.request_id })),
          '\\N',
        ].join('\t');
      });
    bodies.push(Buffer.from(lines.join('\n') + '\n'));
  }
  const started = performance.now();
  for (const body of bodies) {
    await pipeline(
      Readable.from([body]),
      db.query(
        copyFrom(
          'COPY logs (id, ts, received_at, level, source, host, message, raw, status_code, method, path, latency_ms, fields, parse_error) FROM STDIN',
        ),
      ),
    );
  }
  const rowsPerSecond = perSecond(SETTINGS.copyRows, started, performance.now());
  log(`COPY ceiling: ${rowsPerSecond} rows/s`);
  return {
    rows: SETTINGS.copyRows,
    batch,
    connections: 1,
    rowsPerSecond,
    rowsAsStored: 'HTTP NDJSON',
  };
}

/** Per-second stored rate from the sampler's counter readings between two times. */
function storedTimeline(samples) {
  const rates = [];
  for (let i = 1; i < samples.length; i++) {
    const dt = (samples[i].t - samples[i - 1].t) / 1000;
    if (samples[i].stored === undefined || samples[i - 1].stored === undefined || dt <= 0) continue;
    rates.push(Math.round((samples[i].stored - samples[i - 1].stored) / dt));
  }
  return rates;
}

function distribution(values) {
  if (values.length === 0) return { min: null, median: null, max: null };
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0],
    median: sorted[Math.floor((sorted.length - 1) / 2)],
    max: sorted[sorted.length - 1],
  };
}

async function sustainedPhase({ system, db, watch, sampler, probes }) {
  const dir = mkdtempSync(join(os.tmpdir(), 'lookout-bench-'));
  const file = join(dir, 'bench-file.log');
  writeFileSync(file, '');
  const fileSource = await sources.createFileSource({
    baseUrl: BASE,
    token: await system.token(),
    name: named('bench-file'),
    path: file,
  });
  await sleep(1500); // the tailer opens the file
  const metricsBefore = await scrapeWorkers(Object.keys(system.metricsPorts));
  const baseline = await watch.storedLines();
  const probesBefore = probes.accepted;
  const udpDropsBefore = sources.udpKernelDrops(SYSLOG_PORT);
  const sent = { http: sources.newStats(), tcp: { sent: 0 }, udp: { sent: 0 }, file: { sent: 0 } };
  live.sent = sent;
  let stopping = false;
  const stop = () => stopping;
  log(
    `sustained: all sources at once for ${SETTINGS.seconds} s (HTTP ${SETTINGS.concurrency}×${SETTINGS.requestLines} lines, syslog TCP, UDP ${SETTINGS.udpRate}/s, file ${SETTINGS.fileRate}/s)`,
  );
  const started = performance.now();
  const senders = Promise.all([
    sources.httpSenders({
      baseUrl: BASE,
      apiKey: system.apiKey,
      source: named('bench-http'),
      concurrency: SETTINGS.concurrency,
      requestLines: SETTINGS.requestLines,
      stop,
      stats: sent.http,
    }),
    sources.syslogTcp({
      host: SYSLOG_HOST,
      port: SYSLOG_PORT,
      app: named('bench-tcp'),
      stop,
      stats: sent.tcp,
    }),
    sources.syslogUdp({
      host: SYSLOG_HOST,
      port: SYSLOG_PORT,
      app: named('bench-udp'),
      rate: SETTINGS.udpRate,
      stop,
      stats: sent.udp,
    }),
    sources.appendFile({
      path: file,
      name: named('bench-file'),
      rate: SETTINGS.fileRate,
      stop,
      stats: sent.file,
    }),
  ]);
  const probing = probes.start('sustained');
  for (;;) {
    const left = SETTINGS.seconds * 1000 - (performance.now() - started);
    if (left < 100) break;
    await sleep(Math.min(10_000, left));
    const now = performance.now();
    const recent = storedTimeline(sampler.between(now - 10_500, now));
    log(
      `  ${Math.round((now - started) / 1000)} s: ${(await watch.storedLines()) - baseline} lines stored, ${distribution(recent).median ?? '?'} lines/s lately, ${await watch.pendingJobs()} jobs queued`,
    );
  }
  stopping = true;
  const sendingEnded = performance.now();
  await Promise.all([senders, probing.stopPosting()]);
  const sendersStopped = performance.now();
  const probeLines = probes.accepted - probesBefore;
  const reliable = sent.http.sent + sent.tcp.sent + sent.file.sent + probeLines;
  log(
    `sustained: senders stopped; waiting until the ${reliable + sent.udp.sent} lines sent are stored`,
  );
  const waited = await watch.waitStored({
    baseline,
    expected: reliable,
    optional: sent.udp.sent,
    label: 'sustained',
    log,
  });
  const storedAt = waited.lastStoredAt;
  const udpDropsAfter = sources.udpKernelDrops(SYSLOG_PORT);
  const latency = await probing.finish();
  live.sent = undefined;
  const metricsAfter = await scrapeWorkers(Object.keys(system.metricsPorts));
  await deleteSource(system, fileSource.id);
  rmSync(dir, { recursive: true, force: true });

  log('sustained: counting the stored lines per source');
  const perSource = {
    http: {
      ...sources.tally(
        sent.http.sent,
        await sources.countStored(db, { source: named('bench-http') }),
      ),
      requests: sent.http.requests,
      pushedBack: sent.http.pushedBack,
      errors: sent.http.errors,
    },
    syslogTcp: sources.tally(
      sent.tcp.sent,
      await sources.countStored(db, { source: 'syslog', app: named('bench-tcp') }),
    ),
    syslogUdp: {
      ...sources.tally(
        sent.udp.sent,
        await sources.countStored(db, { source: 'syslog', app: named('bench-udp') }),
      ),
      kernelDrops: difference(udpDropsBefore, udpDropsAfter),
    },
    file: sources.tally(
      sent.file.sent,
      await sources.countStored(db, { source: named('bench-file') }),
    ),
  };
  const linesStored = Object.values(perSource).reduce((sum, source) => sum + source.stored, 0);
  for (const source of Object.values(perSource))
    source.linesPerSecond = perSecond(source.stored, started, storedAt);

  const whileSending = storedTimeline(sampler.between(started, sendingEnded));
  // The first second includes the ramp-up of every sender: the rate that held is the rest.
  const held = distribution(whileSending.slice(1));
  const resources = sampler.summary(started, storedAt);
  const memory = sampler.summary(started, sendingEnded);
  for (const [name, summary] of Object.entries(resources)) {
    for (const field of ['rssStartMb', 'rssAfterWarmupMb', 'rssEndMb', 'rssSlopeMbPerMin', 'flat'])
      summary[field] = memory[name]?.[field] ?? null;
  }
  return {
    seconds: SETTINGS.seconds,
    secondsSending: seconds(started, sendingEnded),
    secondsToStopSenders: seconds(sendingEnded, sendersStopped),
    secondsStartToLastStored: seconds(started, storedAt),
    allStored: waited.complete,
    linesStored,
    linesPerSecond: perSecond(linesStored, started, storedAt),
    storedPerSecondWhileSending: { ...held, seconds: whileSending },
    sources: perSource,
    probeLines,
    latency,
    processes: resources,
    workerBatches: workerMetricsBetween(metricsBefore, metricsAfter, system.metricsPorts),
    timeline: sampler.between(started, storedAt).map((sample) => ({
      second: Math.round((sample.t - started) / 100) / 10,
      stored: sample.stored === undefined ? null : sample.stored - baseline,
      pendingJobs: sample.pendingJobs,
      sent: sample.sent,
      cpuSeconds: sample.cpuSeconds,
      rssMb: sample.rssMb,
    })),
  };
}

/** HTTP at a rate the system sustains, probes beside it; then probes on the idle system. */
async function steadyPhase({ system, db, watch, probes }) {
  log(
    `steady: ${SETTINGS.steadyRate} lines/s over HTTP for ${SETTINGS.steadySeconds} s, with probes`,
  );
  const baseline = await watch.storedLines();
  const probesBefore = probes.accepted;
  const probing = probes.start('steady');
  const perTick = Math.round(SETTINGS.steadyRate / 10);
  let sent = 0;
  const started = performance.now();
  for (let tick = 1; tick <= SETTINGS.steadySeconds * 10; tick++) {
    const { accepted } = await json(
      await fetch(`${BASE}/api/v1/ingest?source=${named('bench-steady')}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson', 'x-api-key': system.apiKey },
        body: sources.ndjsonBody(sent, perTick),
      }),
    );
    sent += accepted;
    const wait = started + tick * 100 - performance.now();
    if (wait > 0) await sleep(wait);
  }
  await probing.stopPosting();
  await watch.waitStored({
    baseline,
    expected: sent + probes.accepted - probesBefore,
    label: 'steady',
    log,
  });
  const latency = await probing.finish();
  const steady = {
    linesPerSecond: SETTINGS.steadyRate,
    seconds: SETTINGS.steadySeconds,
    ...sources.tally(sent, await sources.countStored(db, { source: named('bench-steady') })),
    latency,
  };

  log(`idle: ${SETTINGS.idleProbes} probes on the idle system`);
  await sleep(1000);
  const idleProbing = probes.start('idle');
  await sleep(SETTINGS.idleProbes * SETTINGS.probeIntervalMs);
  const idle = { latency: await idleProbing.finish() };
  return { steady, idle };
}

/** HTTP alone: BENCH_LINES lines as fast as accepted, from the first request to the last stored. */
async function httpAlone({ system, db, watch, sampler }) {
  log(
    `HTTP alone: ${SETTINGS.httpLines} NDJSON lines, ${SETTINGS.concurrency} requests of ${SETTINGS.requestLines} in flight`,
  );
  const baseline = await watch.storedLines();
  const started = performance.now();
  const stats = await sources.httpSenders({
    baseUrl: BASE,
    apiKey: system.apiKey,
    source: named('bench-http-alone'),
    concurrency: SETTINGS.concurrency,
    requestLines: SETTINGS.requestLines,
    limit: SETTINGS.httpLines,
  });
  const acceptedAt = performance.now();
  const { lastStoredAt, complete } = await watch.waitStored({
    baseline,
    expected: stats.sent,
    label: 'HTTP alone',
    log,
  });
  const counted = sources.tally(
    stats.sent,
    await sources.countStored(db, { source: named('bench-http-alone') }),
  );
  const result = {
    lines: SETTINGS.httpLines,
    ...counted,
    allStored: complete,
    linesPerSecond: perSecond(counted.stored, started, lastStoredAt),
    secondsFirstRequestToLastStored: seconds(started, lastStoredAt),
    secondsToAcceptAll: seconds(started, acceptedAt),
    pushedBack: stats.pushedBack,
    // A burst of seconds says nothing about memory trends: CPU and peak RSS only.
    processes: Object.fromEntries(
      Object.entries(sampler.summary(started, lastStoredAt)).map(([name, used]) => [
        name,
        {
          cpuSeconds: used.cpuSeconds,
          cpuPercentMean: used.cpuPercentMean,
          cpuPercentMax: used.cpuPercentMax,
          peakRssMb: used.peakRssMb,
        },
      ]),
    ),
  };
  log(
    `HTTP alone: ${result.linesPerSecond} lines/s, lost ${result.lost}, duplicated ${result.duplicated}`,
  );
  return result;
}

async function sourcesAlone({ system, db, watch }) {
  const measure = async (label, send, count, expectedOf) => {
    const baseline = await watch.storedLines();
    const started = performance.now();
    const sent = await send();
    const { lastStoredAt, complete } = await watch.waitStored({
      baseline,
      ...expectedOf(sent),
      label,
      log,
    });
    const counted = sources.tally(sent.sent, await sources.countStored(db, count));
    return {
      ...counted,
      allStored: complete,
      seconds: seconds(started, lastStoredAt),
      linesPerSecond: perSecond(counted.stored, started, lastStoredAt),
    };
  };

  log(`syslog TCP alone: ${SETTINGS.syslogLines} RFC 5424 lines over one connection`);
  const syslogTcp = await measure(
    'syslog TCP',
    () =>
      sources.syslogTcp({
        host: SYSLOG_HOST,
        port: SYSLOG_PORT,
        app: named('bench-tcp-alone'),
        limit: SETTINGS.syslogLines,
      }),
    { source: 'syslog', app: named('bench-tcp-alone') },
    (sent) => ({ expected: sent.sent }),
  );
  log(`syslog TCP alone: ${syslogTcp.linesPerSecond} lines/s, lost ${syslogTcp.lost}`);

  // The peer a sysadmin would use instead, on the same stream, right after (same machine state).
  log(`rsyslog + ompgsql: the same ${SETTINGS.syslogLines} lines over one TCP connection`);
  const rsyslog = await rsyslogPeer({
    server: EXTERNAL ? DATABASE_URL.replace(/\/[^/]*$/, '') : SERVER,
    lines: SETTINGS.syslogLines,
    log,
  });
  if (rsyslog.skipped) log(`rsyslog skipped: ${rsyslog.skipped}`);
  else {
    rsyslog.lookoutOverRsyslog = Number(
      (syslogTcp.linesPerSecond / rsyslog.linesPerSecond).toFixed(2),
    );
    log(
      `rsyslog: ${rsyslog.linesPerSecond} lines/s; Lookout/rsyslog ${rsyslog.lookoutOverRsyslog}`,
    );
  }

  log(`syslog UDP alone: ${SETTINGS.sourcesUdpRate} lines/s for ${SETTINGS.sourcesUdpSeconds} s`);
  const udpDropsBefore = sources.udpKernelDrops(SYSLOG_PORT);
  const syslogUdp = await measure(
    'syslog UDP',
    () =>
      sources.syslogUdp({
        host: SYSLOG_HOST,
        port: SYSLOG_PORT,
        app: named('bench-udp-alone'),
        rate: SETTINGS.sourcesUdpRate,
        seconds: SETTINGS.sourcesUdpSeconds,
      }),
    { source: 'syslog', app: named('bench-udp-alone') },
    (sent) => ({ expected: 0, optional: sent.sent }),
  );
  syslogUdp.offeredLinesPerSecond = SETTINGS.sourcesUdpRate;
  syslogUdp.kernelDrops = difference(udpDropsBefore, sources.udpKernelDrops(SYSLOG_PORT));
  log(
    `syslog UDP alone: stored ${syslogUdp.stored} of ${syslogUdp.sent} (loss ${syslogUdp.lossPercent}%)`,
  );

  log(`file source alone: reading a file of ${SETTINGS.syslogLines} lines from its beginning`);
  const dir = mkdtempSync(join(os.tmpdir(), 'lookout-bench-'));
  const path = join(dir, 'bench-file-alone.log');
  sources.writeWholeFile({ path, name: named('bench-file-alone'), lines: SETTINGS.syslogLines });
  let created;
  const fileTail = await measure(
    'file',
    async () => {
      created = await sources.createFileSource({
        baseUrl: BASE,
        token: await system.token(),
        name: named('bench-file-alone'),
        path,
      });
      return { sent: SETTINGS.syslogLines };
    },
    { source: named('bench-file-alone') },
    (sent) => ({ expected: sent.sent }),
  );
  await deleteSource(system, created.id);
  rmSync(dir, { recursive: true, force: true });
  log(`file source alone: ${fileTail.linesPerSecond} lines/s, lost ${fileTail.lost}`);
  return { syslogTcp, rsyslogPeer: rsyslog, syslogUdp, fileTail };
}

// ---------- main ----------

async function main() {
  const unknown = PHASES.filter((phase) => !KNOWN_PHASES.includes(phase));
  if (unknown.length > 0)
    throw new Error(`unknown phase(s) ${unknown.join(', ')}: use ${KNOWN_PHASES.join(', ')}`);
  const system = await startSystem();
  const db = new Client({ connectionString: DATABASE_URL });
  const watch = new PipelineWatch({ redisUrl: REDIS_URL, prefix: REDIS_PREFIX });
  let sampler;
  try {
    await db.connect();
    sampler = new ResourceSampler({
      lookout: system.children,
      database: new URL(DATABASE_URL).pathname.slice(1),
      extra: async () => ({
        stored: await watch.storedLines(),
        pendingJobs: await watch.pendingJobs(),
        sent: live.sent && {
          http: live.sent.http.sent,
          syslogTcp: live.sent.tcp.sent,
          syslogUdp: live.sent.udp.sent,
          file: live.sent.file.sent,
        },
      }),
    });
    sampler.start();
    await sleep(1000); // let the workers finish booting
    const report = {
      benchmark: 'npm run bench: the whole system, every source at once',
      at: RUN_AT,
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        memoryGb: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
      },
      settings: { ...SETTINGS, phases: PHASES, system: EXTERNAL ? BASE : 'started by the bench' },
    };
    if (PHASES.includes('parsing')) report.parsing = parsingPhase();
    report.copyCeiling = await copyCeiling(db);

    const probed = PHASES.includes('sustained') || PHASES.includes('steady');
    if (probed) {
      const probes = new LatencyProbes({
        baseUrl: BASE,
        apiKey: system.apiKey,
        db,
        log,
        intervalMs: SETTINGS.probeIntervalMs,
        pollMs: SETTINGS.probePollMs,
        liveTail: SETTINGS.liveTail,
      });
      await probes.connect(await system.token());
      const context = { system, db, watch, sampler, probes };
      if (PHASES.includes('sustained')) {
        report.sustained = await sustainedPhase(context);
        report.sustained.ratioToCopyCeiling = Number(
          (report.sustained.linesPerSecond / report.copyCeiling.rowsPerSecond).toFixed(2),
        );
        log(
          `sustained: ${report.sustained.linesPerSecond} lines/s (ratio to COPY ${report.sustained.ratioToCopyCeiling})`,
        );
      }
      if (PHASES.includes('steady')) Object.assign(report, await steadyPhase(context));
      await probes.close(await system.token());
      // Later phases measure sources alone: without a live-tail listener, as before.
      if (SETTINGS.liveTail && (PHASES.includes('sources') || PHASES.includes('http')))
        await sleep(LIVE_TAIL_LINGER_MS);
    }
    if (PHASES.includes('sources') || PHASES.includes('http')) {
      report.http = await httpAlone({ system, db, watch, sampler });
      report.http.ratioToCopyCeiling = Number(
        (report.http.linesPerSecond / report.copyCeiling.rowsPerSecond).toFixed(2),
      );
    }
    if (PHASES.includes('sources')) report.sources = await sourcesAlone({ system, db, watch });
    sampler.stop();

    report.systemLogs = Object.fromEntries(
      system.children.map(({ name, logged }) => [name, { ...logged }]),
    );
    report.targets = evaluateTargets(report);
    report.integrity = integrity(report);
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(`${STEM}.json`, JSON.stringify(report, null, 2) + '\n');
    const markdown = renderMarkdown(report);
    writeFileSync(`${STEM}.md`, markdown);
    console.log(`\n${markdown}`);
    log(`summary: ${STEM}.md`);
    log(`report: ${STEM}.json`);
    if (!report.integrity.ok) {
      log(`lines lost or duplicated: ${report.integrity.problems.map((p) => p.text).join('; ')}`);
      process.exitCode = 1;
    }
  } finally {
    sampler?.stop();
    await db.end().catch(() => undefined);
    await watch.close().catch(() => undefined);
    system.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
