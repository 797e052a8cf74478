// The peer in `npm run bench`: rsyslog with ompgsql (Debian packages rsyslog, rsyslog-pgsql)
// receiving the same RFC 5424 stream over one TCP connection as Lookout and writing it into an
// equivalent table on the same PostgreSQL. Its own rsyslogd process and config, never the system
// service. Skipped with a reason when rsyslogd or ompgsql is not installed.
const { spawn } = require('node:child_process');
const { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const { join } = require('node:path');
const { Client } = require('pg');
const { rfc5424 } = require('./sources');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const RSYSLOGD = '/usr/sbin/rsyslogd';
const DATABASE = 'lookout_bench_rsyslog';

function ompgsqlInstalled() {
  return ['/usr/lib/x86_64-linux-gnu/rsyslog/ompgsql.so', '/usr/lib/rsyslog/ompgsql.so'].some(
    existsSync,
  );
}

/** Runs the peer; resolves `{ skipped }` or `{ lines, stored, lost, duplicated, seconds, linesPerSecond }`. */
async function rsyslogPeer({ server, lines, port = 16514, log }) {
  if (!existsSync(RSYSLOGD) || !ompgsqlInstalled()) {
    return { skipped: 'rsyslogd or ompgsql missing: apt-get install -y rsyslog rsyslog-pgsql' };
  }
  const admin = new Client({ connectionString: `${server}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  await admin.end();
  const db = new Client({ connectionString: `${server}/${DATABASE}` });
  await db.connect();
  // The table of ../shared/peers/rsyslog-ompgsql.md: the columns ompgsql fills, a btree on ts.
  await db.query(`CREATE TABLE logs (id bigserial PRIMARY KEY, ts timestamptz, host text, app text,
                    severity int, facility int, message text)`);
  await db.query('CREATE INDEX logs_ts_idx ON logs (ts)');

  const workDir = mkdtempSync(join(os.tmpdir(), 'lookout-rsyslog-'));
  const config = readFileSync(join(__dirname, 'rsyslog/rsyslog.conf.template'), 'utf8')
    .replaceAll('@WORK_DIR@', workDir)
    .replaceAll('@PORT@', String(port))
    .replaceAll('@DATABASE@', DATABASE);
  const configFile = join(workDir, 'rsyslog.conf');
  writeFileSync(configFile, config);
  const rsyslogd = spawn(RSYSLOGD, ['-n', '-f', configFile, '-i', join(workDir, 'rsyslogd.pid')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  rsyslogd.stderr.on('data', (chunk) => (stderr += chunk));
  try {
    await waitListening(port, () => stderr);
    const chunks = [];
    for (let start = 0; start < lines; start += 2000) {
      const part = [];
      for (let i = start; i < Math.min(lines, start + 2000); i++)
        part.push(rfc5424(i, 'bench-rsyslog'));
      chunks.push(Buffer.from(part.join('\n') + '\n'));
    }
    const started = performance.now();
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    for (const chunk of chunks) {
      if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
    }
    await new Promise((resolve) => socket.end(resolve));
    // Until every line is stored, or nothing new arrived for 5 s. While lines flow, only the id
    // sequence is read (no table scan competing with rsyslog for the cores); the exact count is
    // taken at the end, the sequence running at most a batch ahead of what is committed.
    const sequenceValue = async () =>
      Number((await db.query('SELECT last_value FROM logs_id_seq')).rows[0].last_value);
    const rowCount = async () =>
      Number((await db.query('SELECT count(*) AS n FROM logs')).rows[0].n);
    let stored = 0;
    let at = performance.now();
    for (const [read, interval] of [
      [sequenceValue, 100],
      [rowCount, 50],
    ]) {
      let seen = -1;
      let lastChange = performance.now();
      let lastReport = 0;
      for (;;) {
        const value = await read();
        if (value !== seen) {
          seen = value;
          lastChange = at = performance.now();
        }
        if (value >= lines || performance.now() - lastChange > 5000) break;
        if (performance.now() - lastReport > 2000) {
          log(`  rsyslog: stored ${value} / ${lines}`);
          lastReport = performance.now();
        }
        await sleep(interval);
      }
      stored = seen;
    }
    const distinct = Number(
      (
        await db.query(
          `SELECT count(DISTINCT substring(message from 'seq=(\\d+)$')) AS n FROM logs`,
        )
      ).rows[0].n,
    );
    const seconds = (at - started) / 1000;
    return {
      setup: 'rsyslog imtcp → ompgsql, LinkedList main queue, 2 worker threads, batch 1000',
      lines,
      stored,
      lost: lines - distinct,
      duplicated: stored - distinct,
      seconds: Number(seconds.toFixed(2)),
      linesPerSecond: Math.round(stored / seconds),
    };
  } finally {
    rsyslogd.kill('SIGTERM');
    await new Promise((resolve) => rsyslogd.once('exit', resolve));
    await db.end();
    rmSync(workDir, { recursive: true, force: true });
    const cleanup = new Client({ connectionString: `${server}/postgres` });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await cleanup.end();
  }
}

async function waitListening(port, stderr) {
  for (let i = 0; i < 100; i++) {
    const open = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(100);
  }
  throw new Error(`rsyslogd did not listen on ${port} within 10 s: ${stderr()}`);
}

module.exports = { rsyslogPeer };
