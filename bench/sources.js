// The load generators of `npm run bench`, one per source: HTTP senders (NDJSON), one syslog TCP
// connection, syslog UDP at a fixed rate, and a file appended at a fixed rate and tailed by a file
// source. Every line carries `seq=<n>`, unique per source and run, so the stored lines can be
// counted once at the end: stored, distinct (lost = sent − distinct, duplicated = numbered rows −
// distinct).
//
// Lines are built from precomputed fragments: the load generator shares the two cores with the
// system it measures, so it must cost as little as possible per line.
const dgram = require('node:dgram');
const { closeSync, openSync, readFileSync, writeSync } = require('node:fs');
const net = require('node:net');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

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

/** Line variants by `seq % VARIANTS`: the parts of a JSON line around its timestamp and seq. */
const VARIANTS = 1000;
const JSON_HEADS = [];
const JSON_TAILS = [];
for (let v = 0; v < VARIANTS; v++) {
  const status = v % 50 === 0 ? 503 : v % 17 === 0 ? 404 : 200;
  const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
  JSON_HEADS.push(`","level":"${level}","msg":"${MESSAGES[v % MESSAGES.length]} seq=`);
  JSON_TAILS.push(
    `","method":"${v % 4 === 0 ? 'POST' : 'GET'}","path":"${PATHS[v % PATHS.length]}",` +
      `"status":${status},"latency_ms":${(v * 7) % 900},"host":"web-${v % 8}","request_id":"r`,
  );
}

/**
 * An NDJSON body of `count` application log lines (~220 bytes each) from `seq` on, as an
 * application logger writes them: ts, level, msg, method, path, status, latency_ms, host.
 */
function ndjsonBody(seq, count) {
  const ts = new Date().toISOString();
  const lines = new Array(count);
  for (let i = 0; i < count; i++) {
    const n = seq + i;
    const v = n % VARIANTS;
    lines[i] = `{"ts":"${ts}${JSON_HEADS[v]}${n}${JSON_TAILS[v]}${n.toString(36)}"}`;
  }
  return lines.join('\n');
}

/** One RFC 5424 line; `app` (APP-NAME, stored as fields."syslog.app_name") tells runs apart. */
function rfc5424(seq, app, ts = new Date().toISOString()) {
  return `<134>1 ${ts} web-${seq % 8} ${app} ${1000 + (seq % 50)} REQ [req@32473 seq="${seq}"] GET /api/orders/${seq % 97} 200 ${seq % 900}ms seq=${seq}`;
}

function syslogChunk(seq, count, app) {
  const ts = new Date().toISOString();
  const lines = new Array(count);
  for (let i = 0; i < count; i++) lines[i] = rfc5424(seq + i, app, ts);
  return Buffer.from(lines.join('\n') + '\n');
}

/** A plain-text application log line, as a file tail reads it. */
function fileLine(seq, name, ts) {
  return `${ts} INFO ${name} GET /api/orders/${seq % 97} 200 ${seq % 900}ms seq=${seq}`;
}

function fileChunk(seq, count, name) {
  const ts = new Date().toISOString();
  const lines = new Array(count);
  for (let i = 0; i < count; i++) lines[i] = fileLine(seq + i, name, ts);
  return lines.join('\n') + '\n';
}

/**
 * `concurrency` HTTP senders posting NDJSON requests of `requestLines` lines to `source`, each
 * sending its next request as soon as the previous one is answered, until `limit` lines are sent or
 * `stop()` says so. A 429/503 is honoured: the sender waits Retry-After seconds and sends the same
 * body again. Resolves the counters: lines sent (accepted with 202), requests, 429s, errors.
 */
async function httpSenders({
  baseUrl,
  apiKey,
  source,
  concurrency,
  requestLines,
  limit = Infinity,
  stop = () => false,
  stats = newStats(),
}) {
  let next = 0;
  const sender = async () => {
    while (!stop() && next < limit) {
      const seq = next;
      const count = Math.min(requestLines, limit - seq);
      next += count;
      const body = ndjsonBody(seq, count);
      for (;;) {
        let response;
        try {
          response = await fetch(`${baseUrl}/api/v1/ingest?source=${source}`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-ndjson', 'x-api-key': apiKey },
            body,
          });
        } catch (error) {
          // The request may or may not have been accepted: sending it again is what a shipper
          // does, and a duplicate it causes shows in the report.
          stats.errors++;
          stats.lastError = error.message;
          await sleep(1000);
          continue;
        }
        stats.requests++;
        if (response.status === 202) {
          const { accepted } = await response.json();
          stats.sent += accepted;
          break;
        }
        const text = await response.text();
        if (response.status !== 429 && response.status !== 503)
          throw new Error(`ingest answered ${response.status}: ${text.slice(0, 300)}`);
        stats.pushedBack++;
        await sleep(Number(response.headers.get('retry-after') ?? 1) * 1000);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
  return stats;
}

function newStats() {
  return { sent: 0, requests: 0, pushedBack: 0, errors: 0, lastError: undefined };
}

/**
 * Syslog over one TCP connection (newline framing), chunks of 2,000 lines written as fast as the
 * socket accepts them (a paused server makes `write` wait for `drain`), until `limit` lines or
 * `stop()`. Every line handed to the socket counts as sent: TCP delivers it once the server reads.
 */
async function syslogTcp({ host, port, app, limit = Infinity, stop = () => false, stats }) {
  const counters = stats ?? { sent: 0 };
  const socket = net.connect(port, host);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let failed;
  socket.on('error', (error) => (failed = error));
  while (!stop() && counters.sent < limit && !failed) {
    const count = Math.min(2000, limit - counters.sent);
    const chunk = syslogChunk(counters.sent, count, app);
    counters.sent += count;
    if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
  }
  await new Promise((resolve) => socket.end(resolve));
  if (failed) throw new Error(`syslog TCP connection failed: ${failed.message}`);
  return counters;
}

/** Syslog over UDP at `rate` lines/s (ticks of 10 ms) for `seconds` or until `stop()`. */
async function syslogUdp({ host, port, app, rate, seconds = Infinity, stop = () => false, stats }) {
  const counters = stats ?? { sent: 0 };
  const socket = dgram.createSocket('udp4');
  const started = performance.now();
  const total = rate * seconds;
  for (let tick = 1; !stop() && counters.sent < total; tick++) {
    // Catch up to where the clock says we should be: a late tick sends more, never fewer.
    const due = Math.min(total, Math.round((rate * tick) / 100));
    const ts = new Date().toISOString();
    const sends = [];
    for (; counters.sent < due; counters.sent++) {
      const message = Buffer.from(rfc5424(counters.sent, app, ts));
      sends.push(new Promise((resolve) => socket.send(message, port, host, resolve)));
    }
    await Promise.all(sends);
    const wait = started + tick * 10 - performance.now();
    if (wait > 0) await sleep(wait);
  }
  socket.close();
  counters.seconds = (performance.now() - started) / 1000;
  return counters;
}

/**
 * Datagrams the kernel dropped on the UDP sockets bound to `port` on this machine (their receive
 * buffer was full: the receiver did not read fast enough), from /proc/net/udp{,6}. Undefined when
 * nothing listens there.
 */
function udpKernelDrops(port) {
  const suffix = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let drops;
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      if (columns[1]?.endsWith(suffix)) drops = (drops ?? 0) + Number(columns[columns.length - 1]);
    }
  }
  return drops;
}

/**
 * Appends to `path` at `rate` lines/s (ticks of 100 ms) until `stop()`, as an application writes
 * its log: paced, so the phase measures whether the tail keeps up, not how fast the disk is.
 */
async function appendFile({ path, name, rate, stop, stats }) {
  const counters = stats ?? { sent: 0 };
  const fd = openSync(path, 'a');
  const started = performance.now();
  try {
    for (let tick = 1; !stop(); tick++) {
      const due = Math.round((rate * tick) / 10);
      if (due > counters.sent) {
        writeSync(fd, fileChunk(counters.sent, due - counters.sent, name));
        counters.sent = due;
      }
      const wait = started + tick * 100 - performance.now();
      if (wait > 0) await sleep(wait);
    }
  } finally {
    closeSync(fd);
  }
  return counters;
}

/** Writes a whole file of `lines` lines at once (the "file source reads a big file" case). */
function writeWholeFile({ path, name, lines }) {
  const fd = openSync(path, 'w');
  try {
    for (let seq = 0; seq < lines; seq += 10_000)
      writeSync(fd, fileChunk(seq, Math.min(10_000, lines - seq), name));
  } finally {
    closeSync(fd);
  }
}

/** Creates a file source through the API, reading `path` from its beginning. */
async function createFileSource({ baseUrl, token, name, path }) {
  const response = await fetch(`${baseUrl}/api/v1/sources`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name,
      type: 'file',
      settings: { include: [path], startAt: 'beginning' },
    }),
  });
  if (response.status !== 201)
    throw new Error(`creating the file source: ${response.status} ${await response.text()}`);
  return response.json();
}

/**
 * Counts one source's lines in the database (once, at the end of a phase: never while waiting):
 * rows stored, distinct `seq` values, and rows without a `seq` (a line split or garbled on the
 * way). Syslog lines share the source `syslog`; `app` picks one run. When some line is duplicated
 * or unnumbered, a few of them are returned as examples.
 */
async function countStored(db, { source, app }) {
  const filter = app
    ? { sql: `source = $1 AND fields->>'syslog.app_name' = $2`, values: [source, app] }
    : { sql: 'source = $1', values: [source] };
  const seq = `substring(message from 'seq=(\\d+)')`;
  const { rows } = await db.query(
    `SELECT count(*)::bigint AS stored, count(DISTINCT ${seq})::bigint AS distinct,
            count(*) FILTER (WHERE ${seq} IS NULL)::bigint AS unnumbered
       FROM logs WHERE ${filter.sql}`,
    filter.values,
  );
  const counted = {
    stored: Number(rows[0].stored),
    distinct: Number(rows[0].distinct),
    unnumbered: Number(rows[0].unnumbered),
  };
  if (counted.stored - counted.unnumbered > counted.distinct || counted.unnumbered > 0) {
    const examples = await db.query(
      `WITH numbered AS (SELECT ${seq} AS seq, message, received_at FROM logs WHERE ${filter.sql})
       SELECT seq, message, received_at FROM numbered
        WHERE seq IS NULL
           OR seq IN (SELECT seq FROM numbered WHERE seq IS NOT NULL
                       GROUP BY seq HAVING count(*) > 1 LIMIT 5)
        ORDER BY seq, received_at LIMIT 12`,
      filter.values,
    );
    counted.examples = examples.rows;
  }
  return counted;
}

/**
 * Sent vs stored for one source: lost = sent − distinct, duplicated = numbered rows − distinct,
 * malformed = rows without their `seq` (e.g. one line stored as two pieces).
 */
function tally(sent, { stored, distinct, unnumbered = 0, examples }) {
  const lost = Math.max(0, sent - distinct);
  return {
    sent,
    stored,
    lost,
    duplicated: stored - unnumbered - distinct,
    malformed: unnumbered,
    lossPercent: sent > 0 ? Number(((lost / sent) * 100).toFixed(3)) : 0,
    ...(examples ? { examples } : {}),
  };
}

module.exports = {
  appendFile,
  countStored,
  createFileSource,
  httpSenders,
  ndjsonBody,
  newStats,
  rfc5424,
  syslogTcp,
  syslogUdp,
  tally,
  udpKernelDrops,
  writeWholeFile,
  MESSAGES,
  PATHS,
};
