#!/usr/bin/env node
/* global AbortSignal */
// `npm run chaos`: scripted faults while traffic flows, each asserting what was lost and duplicated
// per source. It runs its OWN PostgreSQL cluster (initdb in a temp dir, its tables on a small
// tmpfs tablespace so a disk can really fill) and its OWN Redis with AOF (appendfsync always), so
// restarting them never disturbs the machine's shared services. Needs root (tmpfs, runuser).
//
// Scenarios (BENCH_CHAOS=a,b to pick): worker-kill, api-kill, postgres-restart, redis-restart,
// postgres-cut (connections refused and killed for 30 s), spike (5× traffic for 20 s), disk-full.
// Traffic during each: HTTP (NDJSON, retried until 202), syslog TCP (one connection, reconnects),
// a tailed file, and syslog UDP (loss reported only). Writes bench/results/chaos-<ts>.json.
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const dgram = require('node:dgram');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const { join } = require('node:path');
const { Client } = require('pg');

const root = join(__dirname, '..');
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const PG_PORT = 5499;
const REDIS_PORT = 6399;
const API_PORT = 8199;
const SYSLOG_PORT = 5599;
const DATABASE_URL = `postgres://postgres@127.0.0.1:${PG_PORT}/lookout_chaos`;
const HTTP_RATE = Number(process.env.CHAOS_HTTP_RATE ?? 4000); // lines/s
const TCP_RATE = Number(process.env.CHAOS_TCP_RATE ?? 2000);
const FILE_RATE = Number(process.env.CHAOS_FILE_RATE ?? 2000);
const UDP_RATE = Number(process.env.CHAOS_UDP_RATE ?? 1000);
const CUT_SECONDS = Number(process.env.CHAOS_CUT_SECONDS ?? 30);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (message) =>
  console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${message}`);

const work = fs.mkdtempSync(join(os.tmpdir(), 'lookout-chaos-'));
fs.chmodSync(work, 0o777);
const pgData = join(work, 'pgdata');
const smallDisk = join(work, 'small-disk');
const filesDir = join(work, 'files');
const processes = { api: undefined, workers: [], redis: undefined };
const lookoutEnv = {
  ...process.env,
  PORT: String(API_PORT),
  SYSLOG_PORT: String(SYSLOG_PORT),
  DATABASE_URL,
  REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}`,
  REDIS_PREFIX: 'lookout-chaos',
  ADMIN_PASSWORD: 'chaos-password',
  LOG_LEVEL: 'warn',
};

// ---------- the services under test ----------

function asPostgres(command, args) {
  return execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function startPostgres() {
  asPostgres(join(PG_BIN, 'pg_ctl'), [
    '-D',
    pgData,
    '-l',
    join(work, 'postgres.log'),
    '-o',
    `-p ${PG_PORT} -k ${work} -c listen_addresses=127.0.0.1 -c shared_buffers=256MB -c max_wal_size=2GB`,
    '-w',
    'start',
  ]);
}

function stopPostgres(mode = 'fast') {
  asPostgres(join(PG_BIN, 'pg_ctl'), ['-D', pgData, '-m', mode, '-w', 'stop']);
}

function startRedis() {
  processes.redis = spawn(
    'redis-server',
    [
      '--port',
      String(REDIS_PORT),
      '--bind',
      '127.0.0.1',
      '--dir',
      work,
      '--appendonly',
      'yes',
      // Every acknowledged write is on disk before Redis answers: what Lookout's 202 relies on.
      '--appendfsync',
      'always',
      '--save',
      '',
    ],
    { stdio: 'ignore' },
  );
}

function startLookoutProcess(app, name) {
  const child = spawn(process.execPath, [join(root, `dist/apps/${app}/src/main.js`)], {
    env: lookoutEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const append = (chunk) => fs.appendFileSync(join(work, `${name}.log`), chunk);
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  return child;
}

const startApi = () => (processes.api = startLookoutProcess('api', 'api'));
const startWorker = (index) =>
  (processes.workers[index] = startLookoutProcess('worker', `worker-${index}`));

async function waitHealthy(timeoutMs = 60_000) {
  const started = Date.now();
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${API_PORT}/health`);
      if (response.ok) return;
    } catch {
      /* not up */
    }
    if (Date.now() - started > timeoutMs) throw new Error('api not healthy');
    await sleep(100);
  }
}

function kill9(child) {
  if (child && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
}

/** A fresh superuser connection to the chaos cluster (a restart kills the previous ones). */
async function adminClient() {
  const client = new Client({
    connectionString: `postgres://postgres@127.0.0.1:${PG_PORT}/postgres`,
  });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Warnings and errors the Lookout processes logged since `offsets`: evidence the fault bit. */
function logOffsets() {
  return Object.fromEntries(
    fs
      .readdirSync(work)
      .filter((name) => /^(api|worker-\d+)\.log$/.test(name))
      .map((name) => [name, fs.statSync(join(work, name)).size]),
  );
}

function problemsLoggedSince(offsets) {
  const problems = [];
  for (const name of Object.keys(logOffsets())) {
    const text = fs.readFileSync(join(work, name), 'utf8').slice(offsets[name] ?? 0);
    for (const line of text.split('\n')) {
      // pino levels: 40 warn, 50 error, 60 fatal.
      const match = /"level":(\d+).*?"msg":"([^"]*)"/.exec(line);
      if (match && Number(match[1]) >= 40) problems.push(`${name.slice(0, -4)}: ${match[2]}`);
    }
  }
  return { count: problems.length, first: problems.slice(0, 3) };
}

// ---------- traffic ----------

/** One scenario's traffic on every source; each line carries `seq=<n>` unique in its source. */
class Traffic {
  constructor(name, apiKey, token) {
    this.name = name;
    this.apiKey = apiKey;
    this.token = token;
    this.multiplier = 1;
    this.running = false;
    this.http = { acknowledged: 0, inDoubt: 0, next: 0 };
    this.tcp = { written: 0, reconnects: 0, next: 0 };
    this.file = { written: 0 };
    this.udp = { sent: 0 };
    this.filePath = join(filesDir, `${name}.log`);
  }

  async start() {
    fs.writeFileSync(this.filePath, '');
    const response = await fetch(`http://127.0.0.1:${API_PORT}/api/v1/sources`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: `chaos-file-${this.name}`,
        type: 'file',
        settings: { include: [this.filePath], startAt: 'beginning' },
      }),
    });
    if (response.status !== 201) throw new Error(`file source: ${response.status}`);
    this.running = true;
    this.loops = [this.httpLoop(), this.tcpLoop(), this.fileLoop(), this.udpLoop()];
  }

  async stop() {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Every 100 ms a request; retried until 202 (a connection error leaves the request in doubt). */
  async httpLoop() {
    while (this.running) {
      const tickStarted = Date.now();
      const count = Math.round((HTTP_RATE * this.multiplier) / 10);
      const lines = [];
      for (let i = 0; i < count; i++) {
        const seq = this.http.next++;
        lines.push(JSON.stringify({ level: 'info', msg: `chaos ${this.name} http seq=${seq}` }));
      }
      let doubtful = false;
      for (;;) {
        try {
          const response = await fetch(
            `http://127.0.0.1:${API_PORT}/api/v1/ingest?source=chaos-http-${this.name}`,
            {
              method: 'POST',
              headers: { 'content-type': 'application/x-ndjson', 'x-api-key': this.apiKey },
              body: lines.join('\n'),
              signal: AbortSignal.timeout(10_000),
            },
          );
          if (response.status === 202) {
            await response.arrayBuffer();
            this.http.acknowledged += count;
            if (doubtful) this.http.inDoubt += count;
            break;
          }
          await response.arrayBuffer();
        } catch {
          doubtful = true; // the request may have reached Redis before the connection broke
        }
        await sleep(250);
      }
      await sleep(Math.max(0, 100 - (Date.now() - tickStarted)));
    }
  }

  /** One syslog TCP connection; on a broken connection, reconnect and go on with the next seq. */
  async tcpLoop() {
    let socket;
    const connect = () =>
      new Promise((resolve) => {
        const candidate = net.connect(SYSLOG_PORT, '127.0.0.1');
        candidate.once('connect', () => resolve(candidate));
        candidate.once('error', () => resolve(undefined));
      });
    while (this.running) {
      if (!socket || socket.destroyed) {
        socket = await connect();
        if (!socket) {
          await sleep(250);
          continue;
        }
        socket.on('error', () => socket.destroy());
        this.tcp.reconnects++;
      }
      const count = Math.round((TCP_RATE * this.multiplier) / 10);
      const lines = [];
      for (let i = 0; i < count; i++) {
        const seq = this.tcp.next++;
        lines.push(
          `<134>1 ${new Date().toISOString()} chaos-host chaos-tcp-${this.name} 1 - - tcp seq=${seq}`,
        );
      }
      socket.write(lines.join('\n') + '\n');
      this.tcp.written += count;
      await sleep(100);
    }
    if (socket && !socket.destroyed) await new Promise((resolve) => socket.end(resolve));
  }

  async fileLoop() {
    while (this.running) {
      const count = Math.round((FILE_RATE * this.multiplier) / 10);
      const lines = [];
      for (let i = 0; i < count; i++) {
        lines.push(
          `${new Date().toISOString()} INFO chaos ${this.name} file seq=${this.file.written + i}`,
        );
      }
      fs.appendFileSync(this.filePath, lines.join('\n') + '\n');
      this.file.written += count;
      await sleep(100);
    }
  }

  async udpLoop() {
    const socket = dgram.createSocket('udp4');
    while (this.running) {
      const count = Math.round(UDP_RATE / 10);
      for (let i = 0; i < count; i++) {
        const seq = this.udp.sent++;
        socket.send(
          `<134>1 ${new Date().toISOString()} chaos-host chaos-udp-${this.name} 1 - - udp seq=${seq}`,
          SYSLOG_PORT,
          '127.0.0.1',
        );
      }
      await sleep(100);
    }
    socket.close();
  }
}

async function stored(db, where, params) {
  const { rows } = await db.query(
    `SELECT count(*) AS total, count(DISTINCT substring(message from 'seq=(\\d+)')) AS distinct
       FROM logs WHERE ${where}`,
    params,
  );
  return { total: Number(rows[0].total), distinct: Number(rows[0].distinct) };
}

/** Counts per source once everything that will arrive has arrived (no change for 5 s). */
async function account(db, traffic, faultEnded) {
  const queries = {
    http: [`source = $1`, [`chaos-http-${traffic.name}`]],
    tcp: [`fields->>'syslog.app_name' = $1`, [`chaos-tcp-${traffic.name}`]],
    file: [`source = $1`, [`chaos-file-${traffic.name}`]],
    udp: [`fields->>'syslog.app_name' = $1`, [`chaos-udp-${traffic.name}`]],
  };
  let last = '';
  let stableSince = Date.now();
  let counts;
  for (;;) {
    counts = {};
    for (const [source, [where, params]] of Object.entries(queries)) {
      counts[source] = await stored(db, where, params).catch(() => ({ total: -1, distinct: -1 }));
    }
    const key = JSON.stringify(counts);
    if (key !== last) {
      last = key;
      stableSince = Date.now();
    }
    const complete =
      counts.http.distinct >= traffic.http.acknowledged &&
      counts.tcp.distinct >= traffic.tcp.written &&
      counts.file.distinct >= traffic.file.written;
    // A job held by a killed worker comes back once its lock expires (BullMQ stalled-job check).
    if ((complete && Date.now() - stableSince > 2000) || Date.now() - stableSince > 60_000) break;
    await sleep(500);
  }
  return {
    /** From the end of the fault until every line sent (HTTP acknowledged, TCP, file) was stored. */
    catchUpSeconds: Number(
      ((Date.now() - faultEnded - (Date.now() - stableSince)) / 1000).toFixed(1),
    ),
    http: {
      acknowledged: traffic.http.acknowledged,
      retriedAfterConnectionError: traffic.http.inDoubt,
      stored: counts.http.total,
      lost: Math.max(0, traffic.http.acknowledged - counts.http.distinct),
      duplicated: counts.http.total - counts.http.distinct,
    },
    syslogTcp: {
      written: traffic.tcp.written,
      connections: traffic.tcp.reconnects,
      stored: counts.tcp.total,
      lost: traffic.tcp.written - counts.tcp.distinct,
      duplicated: counts.tcp.total - counts.tcp.distinct,
    },
    file: {
      written: traffic.file.written,
      stored: counts.file.total,
      lost: traffic.file.written - counts.file.distinct,
      duplicated: counts.file.total - counts.file.distinct,
    },
    syslogUdp: {
      sent: traffic.udp.sent,
      stored: counts.udp.total,
      lossPercent: Number(
        (((traffic.udp.sent - counts.udp.distinct) / traffic.udp.sent) * 100).toFixed(2),
      ),
    },
  };
}

/** Time from `since` until a fresh HTTP line is searchable again: the recovery time. */
async function recoveryMs(apiKey, since) {
  const tag = `recovery${Date.now()}${Math.random().toString(36).slice(2)}`;
  for (;;) {
    try {
      const response = await fetch(
        `http://127.0.0.1:${API_PORT}/api/v1/ingest?source=chaos-probe`,
        {
          method: 'POST',
          headers: { 'content-type': 'text/plain', 'x-api-key': apiKey },
          body: `probe ${tag}`,
          signal: AbortSignal.timeout(5000),
        },
      );
      await response.arrayBuffer();
      if (response.status === 202) break;
    } catch {
      /* api still down */
    }
    await sleep(200);
  }
  for (;;) {
    try {
      const response = await fetch(
        `http://127.0.0.1:${API_PORT}/api/v1/logs?source=chaos-probe&q=${tag}&limit=1`,
        { headers: { 'x-api-key': apiKey }, signal: AbortSignal.timeout(5000) },
      );
      if (response.ok && (await response.json()).items.length > 0) return Date.now() - since;
    } catch {
      /* not yet */
    }
    await sleep(100);
  }
}

// ---------- scenarios: each injects its fault and resolves when the fault is over ----------

const SCENARIOS = {
  'worker-kill': {
    what: 'kill -9 a worker in the middle of its batches, restart it 3 s later',
    async inject() {
      kill9(processes.workers[0]);
      await sleep(3000);
      startWorker(0);
    },
  },
  'api-kill': {
    what: 'kill -9 the api (HTTP, syslog and file tail stop), restart it 3 s later',
    async inject() {
      kill9(processes.api);
      await sleep(3000);
      startApi();
      await waitHealthy();
    },
  },
  'postgres-restart': {
    what: 'restart PostgreSQL (fast shutdown: every connection dropped)',
    async inject() {
      stopPostgres('fast');
      await sleep(3000);
      startPostgres();
    },
  },
  'redis-restart': {
    what: 'kill -9 Redis (AOF, appendfsync always) and start it again 3 s later',
    async inject() {
      kill9(processes.redis);
      await sleep(3000);
      startRedis();
    },
  },
  'postgres-cut': {
    what: `refuse and kill every Lookout connection to PostgreSQL for ${CUT_SECONDS} s`,
    async inject() {
      const admin = await adminClient();
      await admin.query('ALTER DATABASE lookout_chaos ALLOW_CONNECTIONS false');
      const until = Date.now() + CUT_SECONDS * 1000;
      while (Date.now() < until) {
        await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = 'lookout_chaos' AND pid <> pg_backend_pid()`,
        );
        await sleep(500);
      }
      await admin.query('ALTER DATABASE lookout_chaos ALLOW_CONNECTIONS true');
      await admin.end();
    },
  },
  spike: {
    what: '5× traffic on every source for 20 s',
    async inject(traffic) {
      traffic.multiplier = 5;
      await sleep(20_000);
      traffic.multiplier = 1;
    },
  },
  'disk-full': {
    what: 'the disk holding the log partitions fills up for 20 s, then space is freed',
    async inject() {
      // Ballast fills the tmpfs that holds the partitions: COPY fails with "No space left on device".
      const ballast = join(smallDisk, 'ballast');
      try {
        execFileSync('dd', ['if=/dev/zero', `of=${ballast}`, 'bs=1M', 'count=100000'], {
          stdio: 'ignore',
        });
      } catch {
        /* dd stops when the disk is full: that is the point */
      }
      await sleep(20_000);
      fs.rmSync(ballast, { force: true });
    },
  },
};

async function main() {
  if (process.getuid?.() !== 0) throw new Error('npm run chaos needs root (tmpfs, runuser)');
  log(`work dir ${work}`);
  spawnSync('npm', ['run', 'build:server'], { cwd: root, stdio: 'inherit' });
  fs.mkdirSync(pgData);
  fs.mkdirSync(smallDisk);
  fs.mkdirSync(filesDir);
  fs.chmodSync(filesDir, 0o777);
  execFileSync('chown', ['postgres:postgres', pgData]);
  asPostgres(join(PG_BIN, 'initdb'), [
    '-D',
    pgData,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
  ]);
  startPostgres();
  // A small disk for the log partitions: a tmpfs with room for the lines of every scenario (the 5×
  // spike alone stores ~900k lines on a fast machine); the disk-full scenario fills what is left.
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3G', 'tmpfs', smallDisk]);
  execFileSync('chown', ['postgres:postgres', smallDisk]);
  startRedis();
  await sleep(500);

  const admin = new Client({
    connectionString: `postgres://postgres@127.0.0.1:${PG_PORT}/postgres`,
  });
  await admin.connect();
  admin.on('error', () => {});
  // Every table of Lookout lives on the small disk (WAL stays on the cluster's own disk).
  await admin.query(`CREATE TABLESPACE small_disk LOCATION '${smallDisk}'`);
  await admin.query('CREATE DATABASE lookout_chaos TABLESPACE small_disk');
  await admin.end();
  startApi();
  await waitHealthy();
  startWorker(0);
  startWorker(1);

  const login = await fetch(`http://127.0.0.1:${API_PORT}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'chaos-password' }),
  });
  const { accessToken } = await login.json();
  const createKey = (body) =>
    fetch(`http://127.0.0.1:${API_PORT}/api/v1/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify(body),
    });
  let keyResponse = await createKey({ name: 'chaos', scopes: ['ingest', 'read'] });
  if (keyResponse.status !== 201) keyResponse = await createKey({ name: 'chaos' });
  const { key: apiKey } = await keyResponse.json();

  const wanted = (process.env.BENCH_CHAOS ?? Object.keys(SCENARIOS).join(',')).split(',');
  const results = [];
  for (const name of wanted) {
    const scenario = SCENARIOS[name];
    if (!scenario) throw new Error(`unknown scenario ${name}`);
    log(`${name}: ${scenario.what}`);
    const traffic = new Traffic(name, apiKey, accessToken);
    await traffic.start();
    await sleep(5000);
    const offsets = logOffsets();
    const faultStarted = Date.now();
    await scenario.inject(traffic);
    const faultEnded = Date.now();
    const recovery = await recoveryMs(apiKey, faultEnded);
    await sleep(5000);
    await traffic.stop();
    // Bounded: a database that cannot recover must end the scenario, not hang the run.
    const db2 = new Client({
      connectionString: DATABASE_URL,
      connectionTimeoutMillis: 10_000,
      query_timeout: 30_000,
    });
    await db2.connect();
    const counts = await account(db2, traffic, faultEnded);
    await db2.end();
    const verdict =
      counts.http.lost === 0 &&
      counts.file.lost === 0 &&
      counts.file.duplicated === 0 &&
      counts.syslogTcp.duplicated === 0 &&
      (name === 'api-kill' || counts.syslogTcp.lost === 0) &&
      (name === 'api-kill' || counts.http.duplicated === 0);
    const result = {
      scenario: name,
      what: scenario.what,
      faultSeconds: Number(((faultEnded - faultStarted) / 1000).toFixed(1)),
      recoverySeconds: Number((recovery / 1000).toFixed(1)),
      // What Lookout itself logged while the fault lasted (warnings and errors): proof it bit.
      loggedProblems: problemsLoggedSince(offsets),
      ...counts,
      ok: verdict,
    };
    results.push(result);
    log(
      `${name}: ${verdict ? 'OK' : 'FAILED'} ${JSON.stringify(counts)} recovery ${result.recoverySeconds} s`,
    );
  }

  const at = new Date().toISOString();
  const report = {
    benchmark: 'chaos: faults under traffic',
    at,
    rates: { http: HTTP_RATE, syslogTcp: TCP_RATE, file: FILE_RATE, syslogUdp: UDP_RATE },
    redis: 'own redis-server, appendonly yes, appendfsync always',
    results,
  };
  fs.mkdirSync(join(root, 'bench/results'), { recursive: true });
  const file = join(root, 'bench/results', `chaos-${at.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  log(`report: ${file}`);
  if (results.some((result) => !result.ok)) process.exitCode = 1;
}

function cleanup() {
  kill9(processes.api);
  processes.workers.forEach(kill9);
  kill9(processes.redis);
  try {
    stopPostgres('immediate');
  } catch {
    /* already down */
  }
  spawnSync('umount', [smallDisk]);
  fs.rmSync(work, { recursive: true, force: true });
}

// Ctrl-C still stops the cluster, Redis and Lookout, and unmounts the small disk.
process.once('SIGINT', () => {
  cleanup();
  process.exit(130);
});

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(cleanup);
