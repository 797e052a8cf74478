// Per-source throughput scenarios for `npm run bench`: each sends lines with unique sequence
// numbers and times from the first byte sent to the last line stored.
const dgram = require('node:dgram');
const net = require('node:net');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Lines of `source` received since `since`; for syslog, `app` tells the scenarios apart. */
async function countSource(db, source, since, app) {
  const result = app
    ? await db.query(
        `SELECT count(*) AS n FROM logs
          WHERE source = $1 AND received_at >= $2 AND fields->>'syslog.app_name' = $3`,
        [source, since, app],
      )
    : await db.query('SELECT count(*) AS n FROM logs WHERE source = $1 AND received_at >= $2', [
        source,
        since,
      ]);
  return Number(result.rows[0].n);
}

/** Waits until `expected` lines of `source` received since `since` are stored, or they stop coming. */
async function waitStored(db, source, since, expected, log, stallMs = 5000, app = undefined) {
  let stored = 0;
  let last = -1;
  let lastChange = Date.now();
  let lastReport = 0;
  for (;;) {
    stored = await countSource(db, source, since, app);
    if (stored >= expected) return { stored, at: performance.now() };
    if (stored !== last) {
      last = stored;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > stallMs) {
      return { stored, at: performance.now() - stallMs };
    }
    if (Date.now() - lastReport > 2000) {
      log(`  ${app ?? source}: stored ${stored} / ${expected}`);
      lastReport = Date.now();
    }
    await sleep(50);
  }
}

function rfc5424(seq, app) {
  const ts = new Date().toISOString();
  return `<134>1 ${ts} web-${seq % 8} ${app} ${1000 + (seq % 50)} REQ [req@32473 seq="${seq}"] GET /api/orders/${seq % 97} 200 ${seq % 900}ms seq=${seq}`;
}

/** Syslog over one TCP connection, newline framing, as fast as the server reads. */
async function syslogTcp({ host, port, lines, db, log, app = 'bench-tcp' }) {
  const since = new Date(Date.now() - 1000);
  const chunks = [];
  for (let start = 0; start < lines; start += 2000) {
    const part = [];
    for (let i = start; i < Math.min(lines, start + 2000); i++) part.push(rfc5424(i, app));
    chunks.push(Buffer.from(part.join('\n') + '\n'));
  }
  const started = performance.now();
  const socket = net.connect(port, host);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  for (const chunk of chunks) {
    if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
  }
  await new Promise((resolve) => socket.end(resolve));
  const sentAt = performance.now();
  const { stored, at } = await waitStored(db, 'syslog', since, lines, log, 5000, app);
  const seconds = (at - started) / 1000;
  return {
    lines,
    stored,
    lost: lines - stored,
    secondsToSend: Number(((sentAt - started) / 1000).toFixed(2)),
    seconds: Number(seconds.toFixed(2)),
    linesPerSecond: Math.round(stored / seconds),
  };
}

/** Syslog over UDP at a fixed rate; loss = sent − stored (UDP cannot push back). */
async function syslogUdp({ host, port, rate, seconds, db, log, app = 'bench-udp' }) {
  const since = new Date(Date.now() - 1000);
  const socket = dgram.createSocket('udp4');
  const total = rate * seconds;
  const perTick = Math.ceil(rate / 100); // every 10 ms
  let sent = 0;
  const started = performance.now();
  for (let tick = 0; sent < total; tick++) {
    const sends = [];
    for (let i = 0; i < perTick && sent < total; i++, sent++) {
      const message = Buffer.from(rfc5424(sent, app));
      sends.push(new Promise((resolve) => socket.send(message, port, host, resolve)));
    }
    await Promise.all(sends);
    const wait = started + (tick + 1) * 10 - performance.now();
    if (wait > 0) await sleep(wait);
  }
  const sentSeconds = (performance.now() - started) / 1000;
  socket.close();
  const { stored, at } = await waitStored(db, 'syslog', since, total, log, 3000, app);
  const elapsed = (at - started) / 1000;
  return {
    offeredLinesPerSecond: rate,
    sent,
    sentLinesPerSecond: Math.round(sent / sentSeconds),
    stored,
    lost: sent - stored,
    lossPercent: Number((((sent - stored) / sent) * 100).toFixed(3)),
    linesPerSecond: Math.round(stored / elapsed),
  };
}

module.exports = { syslogTcp, syslogUdp, waitStored, countSource, rfc5424 };

/** A file source reading a file of `lines` lines from the beginning, as fast as it goes. */
async function fileTail({ baseUrl, token, dir, lines, db, log, name = 'bench-file' }) {
  const { writeFileSync } = require('node:fs');
  const { join } = require('node:path');
  const file = join(dir, `${name}.log`);
  const text = [];
  for (let i = 0; i < lines; i++) {
    text.push(
      `${new Date().toISOString()} INFO ${name} GET /api/orders/${i % 97} 200 ${i % 900}ms seq=${i}`,
    );
  }
  writeFileSync(file, text.join('\n') + '\n');
  const since = new Date(Date.now() - 1000);
  const started = performance.now();
  const response = await fetch(`${baseUrl}/api/v1/sources`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name,
      type: 'file',
      settings: { include: [file], startAt: 'beginning' },
    }),
  });
  if (response.status !== 201)
    throw new Error(`creating the file source: ${response.status} ${await response.text()}`);
  const { stored, at } = await waitStored(db, name, since, lines, log);
  const seconds = (at - started) / 1000;
  return {
    lines,
    stored,
    lost: lines - stored,
    seconds: Number(seconds.toFixed(2)),
    linesPerSecond: Math.round(stored / seconds),
  };
}

module.exports.fileTail = fileTail;
