#!/usr/bin/env node
// `node bench/alerts.js`: alerting latency and backtest speed. Starts api + worker from dist/ on a
// fresh database (`lookout_alerts_bench`), then:
//
// 1. Latency. Rules of every type are enabled (a dozen that watch the background traffic, and the
//    two being timed), an SMTP server listens locally, and BENCH_ALERT_TRIGGERS alerts (default
//    100: half pattern, half the seed case "more than 10 errors per minute": 10 errors first, then
//    the timed 11th) are triggered, the first half on an idle system, the second half with
//    BENCH_ALERT_BACKGROUND lines/s (default 2,000) of background traffic. Each trigger is a new
//    group, so each makes one firing transition. Per trigger it records, from just before the HTTP
//    POST of the triggering line: when the line is visible in Postgres (polled every 2 ms:
//    "stored"), the transition's time (written by the worker), when the notify-alert job was added
//    to the notifications queue (BullMQ QueueEvents), and when the mail was accepted by the SMTP
//    server. Reports p50/p95/p99 of each, and transition − stored, per phase.
// 2. Backtest. Seeds BENCH_ALERT_ROWS lines (default 1,000,000) over the last 24 h with COPY and
//    times POST /api/v1/alert-rules/backtest over those 24 h for several rules (target < 5 s).
//
// Against a system already running (its database is written to!): BENCH_URL, BENCH_ADMIN_PASSWORD,
// DATABASE_URL, REDIS_URL and REDIS_PREFIX.
//
// Writes bench/results/alerts-<timestamp>.json.
const { mkdirSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const { Readable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const { Client } = require('pg');
const { from: copyFrom } = require('pg-copy-streams');
const { QueueEvents } = require('bullmq');
const Redis = require('ioredis');
const { SMTPServer } = require('smtp-server');
const { startLookout, sleep } = require('./system');

const root = join(__dirname, '..');
const PORT = Number(process.env.BENCH_PORT ?? 8184);
const TRIGGERS = Number(process.env.BENCH_ALERT_TRIGGERS ?? 100);
const BACKGROUND = Number(process.env.BENCH_ALERT_BACKGROUND ?? 2000);
const ROWS = Number(process.env.BENCH_ALERT_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_ALERT_BACKTEST_RUNS ?? 5);
const NAME = 'alerts-bench';
const PREFIX = process.env.BENCH_URL ? (process.env.REDIS_PREFIX ?? 'lookout') : `lookout-${NAME}`;
const BASE = process.env.BENCH_URL ?? `http://127.0.0.1:${PORT}`;
const REDIS = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const log = (message) =>
  console.log(`[alerts-bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const summary = (values) => ({
  samples: values.length,
  p50: round(percentile(values, 50)),
  p95: round(percentile(values, 95)),
  p99: round(percentile(values, 99)),
  max: round(values.length ? Math.max(...values) : null),
});
const round = (value) => (value === null ? null : Math.round(value * 10) / 10);

async function api(token, method, path, body) {
  const response = await fetch(`${BASE}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** A local SMTP server that records when each mail was accepted, by the probe it mentions. */
function startSmtp(mailTimes) {
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      let text = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => (text += chunk));
      stream.on('end', () => {
        const accepted = Date.now();
        for (const match of text.matchAll(/probe-[a-z]+-\d+/g))
          if (!mailTimes.has(match[0])) mailTimes.set(match[0], accepted);
        callback();
      });
    },
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: server.server.address().port })),
  );
}

/** The rules that make the worker do realistic work on the background lines. */
const DISTRACTORS = [
  {
    type: 'threshold',
    query: 'level:error',
    groupBy: ['host'],
    settings: { threshold: 100000, windowSeconds: 60 },
  },
  {
    type: 'threshold',
    query: 'status:>=500',
    settings: { metric: 'rate', threshold: 100000, windowSeconds: 300 },
  },
  {
    type: 'threshold',
    query: 'path:/api/* latency_ms:>800',
    groupBy: ['path'],
    settings: { threshold: 100000, windowSeconds: 60 },
  },
  { type: 'pattern', query: '"disk quota exceeded"', settings: { coalesceSeconds: 60 } },
  { type: 'pattern', query: 'panic OR segfault', groupBy: ['host'], settings: {} },
  { type: 'absence', query: 'source:bench-bg', settings: { windowSeconds: 60 } },
  {
    type: 'absence',
    query: 'source:bench-bg',
    groupBy: ['host'],
    settings: { windowSeconds: 300 },
  },
  {
    type: 'anomaly',
    query: 'level:error',
    groupBy: ['host'],
    settings: { mode: 'rate', windowSeconds: 60, zScore: 50 },
  },
  {
    type: 'anomaly',
    query: 'source:bench-bg',
    groupBy: ['path'],
    settings: { mode: 'numeric', field: 'latency_ms', windowSeconds: 60, zScore: 50 },
  },
  {
    type: 'anomaly',
    query: 'source:bench-bg',
    settings: { mode: 'template', warmupSeconds: 86400 },
  },
  { type: 'threshold', query: 'timeout', settings: { threshold: 100000, windowSeconds: 60 } },
  {
    type: 'threshold',
    query: 'fields.tenant:t1*',
    groupBy: ['fields.tenant'],
    settings: { threshold: 100000, windowSeconds: 60 },
  },
];

const PATHS = [
  '/api/orders',
  '/api/orders/42',
  '/api/users',
  '/login',
  '/static/app.js',
  '/api/search',
];
function backgroundLine(i) {
  const status = i % 50 === 0 ? 503 : i % 17 === 0 ? 404 : 200;
  return JSON.stringify({
    level: status >= 500 ? 'error' : 'info',
    msg: `${i % 4 === 0 ? 'POST' : 'GET'} ${PATHS[i % PATHS.length]} ${status} served in ${(i * 7) % 900} ms seq=${i}${i % 100 === 37 ? ' upstream timeout' : ''}`,
    status,
    path: PATHS[i % PATHS.length],
    latency_ms: (i * 7) % 900,
    host: `web-${i % 8}`,
    tenant: `t${i % 50}`,
  });
}

/** One COPY text row of the backtest history (as bench/search.js writes them). */
function historyRow(i, ts) {
  const status = i % 50 === 0 ? 503 : i % 17 === 0 ? 404 : 200;
  const level = status >= 500 ? 3 : status >= 400 ? 4 : 6;
  const path = PATHS[i % PATHS.length];
  let message = `${i % 4 === 0 ? 'POST' : 'GET'} ${path} ${status} served req=${i.toString(36)}`;
  if (i % 100 === 37) message += ' upstream timeout after 30s';
  if (i % 2000 === 11) message += ' payment declined by bank';
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

async function latencyPhase(lookout, db) {
  const token = lookout.accessToken;
  const mailTimes = new Map();
  const smtp = await startSmtp(mailTimes);
  const jobAdded = new Map();
  const queueEvents = new QueueEvents('notifications', {
    connection: { host: REDIS.hostname, port: Number(REDIS.port || 6379) },
    prefix: PREFIX,
  });
  queueEvents.on('added', ({ jobId }) => jobAdded.set(jobId, Date.now()));
  await queueEvents.waitUntilReady();

  const channel = await api(token, 'POST', '/api/v1/channels', {
    name: 'bench smtp',
    type: 'email',
    rateLimit: null,
    settings: { host: '127.0.0.1', port: smtp.port, from: 'Lookout <alerts@bench.test>' },
  });
  for (const [index, rule] of DISTRACTORS.entries())
    await api(token, 'POST', '/api/v1/alert-rules', {
      name: `distractor ${index}`,
      severity: 'info',
      ...rule,
      query: rule.query,
    });
  const common = {
    severity: 'critical',
    groupBy: ['fields.probe'],
    channelIds: [channel.id],
    recipients: ['oncall@bench.test'],
  };
  const pattern = await api(token, 'POST', '/api/v1/alert-rules', {
    ...common,
    name: 'bench pattern',
    type: 'pattern',
    query: 'source:alert-bench "out of memory"',
    settings: { coalesceSeconds: 5 },
  });
  const seed = await api(token, 'POST', '/api/v1/alert-rules', {
    ...common,
    name: 'bench more than 10 errors per minute',
    type: 'threshold',
    query: 'source:alert-bench level:error',
    settings: { threshold: 10, windowSeconds: 60 },
  });
  await sleep(2000); // workers pick the rules up

  const post = (lines) =>
    fetch(`${BASE}/api/v1/ingest?source=alert-bench`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
      body: lines.map((line) => JSON.stringify(line)).join('\n'),
    }).then((response) => {
      if (response.status !== 202) throw new Error(`ingest: ${response.status}`);
    });

  /** One alert: the (untimed) first ten errors of a seed-case probe, then the timed line. */
  const trigger = async (i, phase) => {
    const kind = i % 2 === 0 ? 'pattern' : 'threshold';
    const probe = `probe-${kind}-${i}`;
    const rule = kind === 'pattern' ? pattern : seed;
    if (kind === 'threshold') {
      await post(
        Array.from({ length: 10 }, (_, n) => ({
          level: 'error',
          msg: `payment failed ${n}`,
          probe,
        })),
      );
      const deadline = Date.now() + 60_000;
      for (;;) {
        const { rows } = await db.query(
          `SELECT count(*)::int AS n FROM logs WHERE source = 'alert-bench' AND fields->>'probe' = $1`,
          [probe],
        );
        if (rows[0].n >= 10) break;
        if (Date.now() > deadline)
          throw new Error(`the first errors of ${probe} were not stored within 60 s`);
        await sleep(5);
      }
    }
    const line =
      kind === 'pattern'
        ? { level: 'critical', msg: `java.lang.Error: out of memory in ${probe}`, probe }
        : { level: 'error', msg: `payment failed 11 ${probe}`, probe };
    const postedAt = Date.now();
    await post([line]);
    // Stored: the line is visible in Postgres.
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`${probe} was not stored within 60 s`);
      const { rows } = await db.query(
        `SELECT 1 FROM logs WHERE source = 'alert-bench' AND fields->>'probe' = $1 AND message = $2 LIMIT 1`,
        [probe, line.msg],
      );
      if (rows.length > 0) break;
      await sleep(2);
    }
    return { probe, kind, phase, rule: rule.id, postedAt, storedAt: Date.now() };
  };

  const probes = [];
  const idle = Math.floor(TRIGGERS / 2);
  log(`triggering ${idle} alerts on an otherwise idle system`);
  for (let i = 0; i < idle; i++) {
    probes.push(await trigger(i, 'idle'));
    await sleep(100);
  }

  let background = true;
  let sent = 0;
  const backgroundLoop = (async () => {
    const perTick = Math.max(1, Math.round(BACKGROUND / 50));
    const started = performance.now();
    for (let tick = 0; background; tick++) {
      const lines = [];
      for (let i = 0; i < perTick; i++) lines.push(backgroundLine(sent++));
      void fetch(`${BASE}/api/v1/ingest?source=bench-bg`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
        body: lines.join('\n'),
      }).catch(() => undefined);
      const wait = started + (tick + 1) * 20 - performance.now();
      if (wait > 0) await sleep(wait);
    }
  })();
  await sleep(2000);
  log(`triggering ${TRIGGERS - idle} alerts with ${BACKGROUND} background lines/s`);
  for (let i = idle; i < TRIGGERS; i++) {
    probes.push(await trigger(i, 'loaded'));
    if ((i + 1) % 10 === 0) log(`  ${i + 1} triggers`);
    await sleep(100);
  }
  background = false;
  await backgroundLoop;

  // Collect the transitions, the queue additions and the mails.
  await sleep(3000);
  for (const probe of probes) {
    const { rows } = await db.query(
      `SELECT t.id, t.at FROM alert_transitions t JOIN alerts a ON a.id = t.alert_id
        WHERE a.rule_id = $1 AND a.group_values->>'fields.probe' = $2 AND t.to_state = 'firing'
        ORDER BY t.at LIMIT 1`,
      [probe.rule, probe.probe],
    );
    probe.transitionAt = rows[0]?.at.getTime();
    probe.transitionId = rows[0]?.id;
  }
  for (let i = 0; i < 300 && probes.some((probe) => !mailTimes.has(probe.probe)); i++)
    await sleep(100);
  for (const probe of probes) {
    probe.jobAddedAt = jobAdded.get(probe.transitionId);
    probe.mailAt = mailTimes.get(probe.probe);
  }
  await queueEvents.close();
  smtp.server.close();

  const stage = (list, field, from = 'postedAt') =>
    summary(
      list.filter((probe) => probe[field] !== undefined).map((probe) => probe[field] - probe[from]),
    );
  const report = {};
  for (const phase of ['idle', 'loaded']) {
    report[phase] = {};
    for (const kind of ['all', 'pattern', 'threshold']) {
      const list = probes.filter(
        (probe) => probe.phase === phase && (kind === 'all' || probe.kind === kind),
      );
      report[phase][kind] = {
        triggers: list.length,
        fired: list.filter((probe) => probe.transitionAt !== undefined).length,
        postToStoredMs: stage(list, 'storedAt'),
        postToTransitionMs: stage(list, 'transitionAt'),
        // Stored is when a 2 ms poll saw the line; the transition can come first (then 0).
        storedToTransitionMs: summary(
          list
            .filter((probe) => probe.transitionAt !== undefined)
            .map((probe) => Math.max(0, probe.transitionAt - probe.storedAt)),
        ),
        postToNotificationJobMs: stage(list, 'jobAddedAt'),
        postToMailAcceptedMs: stage(list, 'mailAt'),
      };
    }
  }
  const stats = await db.query(
    `SELECT count(*)::int AS n FROM alerts WHERE rule_id = ANY($1::uuid[])`,
    [[pattern.id, seed.id]],
  );
  report.alertsOpened = stats.rows[0].n;
  report.backgroundLinesPerSecond = BACKGROUND;
  report.backgroundLinesSent = sent;
  report.rulesEnabled = DISTRACTORS.length + 2;
  return report;
}

async function backtestPhase(lookout, db) {
  log(`seeding ${ROWS} lines over the last 24 h with COPY`);
  const to = Date.now();
  const from = to - 24 * 3_600_000;
  const seedStarted = performance.now();
  await db.query(`SELECT setval('logs_id_seq', greatest((SELECT max(id) FROM logs), 1))`);
  const { rows: offsetRows } = await db.query(`SELECT nextval('logs_id_seq')::bigint AS first`);
  const offset = Number(offsetRows[0].first);
  for (let start = 0; start < ROWS; start += 50_000) {
    const lines = [];
    for (let i = start; i < Math.min(ROWS, start + 50_000); i++)
      lines.push(
        historyRow(i, from + ((to - from) * i) / ROWS).replace(/^\d+/, String(offset + i)),
      );
    await pipeline(
      Readable.from([lines.join('\n') + '\n']),
      db.query(
        copyFrom(
          'COPY logs (id, ts, received_at, level, source, host, message, raw, status_code, method, path, latency_ms, fields, parse_error) FROM STDIN',
        ),
      ),
    );
  }
  await db.query(`SELECT setval('logs_id_seq', $1)`, [offset + ROWS + 1]);
  await db.query('VACUUM ANALYZE logs');
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  log(`seeded in ${seedSeconds.toFixed(1)} s`);

  const rules = {
    'threshold level:error > 50 / 5 min per host': {
      type: 'threshold',
      query: 'level:error',
      groupBy: ['host'],
      settings: { threshold: 50, windowSeconds: 300 },
    },
    'seed case: level:error > 10 / min': {
      type: 'threshold',
      query: 'level:error',
      settings: { threshold: 10, windowSeconds: 60 },
    },
    'threshold status:>=500 rate per path, 1 min': {
      type: 'threshold',
      query: 'status:>=500',
      groupBy: ['path'],
      settings: { metric: 'rate', threshold: 0.2, windowSeconds: 60 },
    },
    'pattern full text "payment declined"': {
      type: 'pattern',
      query: '"payment declined"',
      settings: { coalesceSeconds: 60 },
    },
    'absence source:nginx per host, 1 min': {
      type: 'absence',
      query: 'source:nginx',
      groupBy: ['host'],
      settings: { windowSeconds: 60, minCount: 5 },
    },
    'anomaly rate level:error per host, 5 min': {
      type: 'anomaly',
      query: 'level:error',
      groupBy: ['host'],
      settings: { mode: 'rate', windowSeconds: 300, warmupSeconds: 3600 },
    },
    'anomaly p95 latency_ms per path, 5 min': {
      type: 'anomaly',
      query: '',
      groupBy: ['path'],
      settings: { mode: 'numeric', field: 'latency_ms', windowSeconds: 300, warmupSeconds: 3600 },
    },
    'threshold every line > 1000 / min (1M lines in range)': {
      type: 'threshold',
      query: '',
      settings: { threshold: 1000, windowSeconds: 60 },
    },
  };
  const results = {};
  for (const [name, rule] of Object.entries(rules)) {
    const times = [];
    let last;
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      last = await api(lookout.accessToken, 'POST', '/api/v1/alert-rules/backtest', {
        rule: { name, severity: 'high', ...rule },
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
      });
      times.push(performance.now() - started);
    }
    results[name] = {
      ...summary(times),
      matchedLines: last.matchedLines,
      groups: last.groups,
      fires: last.fires,
      notifications: last.notifications,
      stepSeconds: last.stepSeconds,
    };
    log(
      `backtest ${name}: p50 ${results[name].p50} ms, max ${results[name].max} ms (${last.matchedLines} lines, ${last.fires} fires)`,
    );
  }
  return {
    rowsInRange: ROWS,
    hours: 24,
    seedSeconds: round(seedSeconds),
    runs: RUNS,
    rules: results,
  };
}

/** Deletes the Redis keys of earlier runs (queued jobs of a dropped database would clash). */
async function clearRedis() {
  const redis = new Redis({ host: REDIS.hostname, port: Number(REDIS.port || 6379) });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A running system (BENCH_URL), or a fresh one started from dist/. */
async function lookoutUnderTest() {
  if (!process.env.BENCH_URL) {
    await clearRedis();
    return startLookout({ name: NAME, port: PORT });
  }
  const login = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: process.env.BENCH_ADMIN_PASSWORD }),
  });
  if (!login.ok) throw new Error(`login: ${login.status}`);
  const { accessToken } = await login.json();
  return {
    baseUrl: BASE,
    databaseUrl: process.env.DATABASE_URL,
    accessToken,
    stop: () => undefined,
  };
}

async function main() {
  const lookout = await lookoutUnderTest();
  const db = new Client({ connectionString: lookout.databaseUrl });
  await db.connect();
  try {
    const latency = await latencyPhase(lookout, db);
    for (const phase of ['idle', 'loaded']) {
      const all = latency[phase].all;
      log(
        `${phase}: POST → transition p50 ${all.postToTransitionMs.p50} ms, p95 ${all.postToTransitionMs.p95} ms; stored → transition p95 ${all.storedToTransitionMs.p95} ms; → job p95 ${all.postToNotificationJobMs.p95} ms; → mail p95 ${all.postToMailAcceptedMs.p95} ms`,
      );
    }
    const backtest = await backtestPhase(lookout, db);
    const slowest = Math.max(...Object.values(backtest.rules).map((rule) => rule.max));
    const report = {
      benchmark: 'alerting: detection latency and backtest',
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version },
      latency,
      backtest,
      target: {
        storedToTransitionP95UnderMs: 1000,
        backtest24hUnderMs: 5000,
        met:
          ['idle', 'loaded'].every(
            (phase) =>
              latency[phase].all.fired === latency[phase].all.triggers &&
              latency[phase].all.storedToTransitionMs.p95 < 1000,
          ) && slowest < 5000,
      },
    };
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    const file = join(root, 'bench/results', `alerts-${report.at.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
    console.log(JSON.stringify(report, null, 2));
    log(`report: ${file}`);
    if (!report.target.met) process.exitCode = 1;
  } finally {
    await db.end();
    lookout.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
