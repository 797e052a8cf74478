#!/usr/bin/env node
// `npm run bench:livetail`: live-tail latency. Starts api + worker on a fresh database, connects a
// socket.io subscriber with a query, then ingests BENCH_TAIL_RATE lines/s (default 5,000) over HTTP
// for BENCH_TAIL_SECONDS (default 20) in requests every 20 ms. One line in 50 matches the query and
// carries its send time; the subscriber records send → arrival for each. Reports p50/p95/p99 and
// writes bench/results/livetail-<timestamp>.json.
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { io } = require('socket.io-client');
const { startLookout, sleep } = require('./system');

const root = join(__dirname, '..');
const RATE = Number(process.env.BENCH_TAIL_RATE ?? 5000);
const SECONDS = Number(process.env.BENCH_TAIL_SECONDS ?? 20);
const PORT = Number(process.env.BENCH_PORT ?? 8183);
const BASE = `http://127.0.0.1:${PORT}`;
const log = (message) =>
  console.log(`[livetail-bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] * 10) /
    10
  );
};

async function main() {
  const lookout = await startLookout({ name: 'livetail-bench', port: PORT });
  const { accessToken } = lookout;
  try {
    const delays = [];
    let skipped = 0;
    const socket = io(`${BASE}/live`, { auth: { token: accessToken }, transports: ['websocket'] });
    await new Promise((resolve, reject) =>
      socket.once('connect', resolve).once('connect_error', reject),
    );
    socket.on('lines', (payload, ack) => {
      const now = Date.now();
      for (const line of payload.lines) {
        const sent = /sentAt=(\d+)/.exec(line.message);
        if (sent) delays.push(now - Number(sent[1]));
      }
      if (typeof ack === 'function') ack();
    });
    socket.on('skipped', ({ count }) => (skipped += count));
    await new Promise((resolve) => socket.emit('subscribe', { query: 'tailprobe' }, resolve));
    await sleep(1500); // the worker notices a listener within a second

    log(`ingesting ${RATE} lines/s for ${SECONDS} s`);
    const perTick = RATE / 50;
    const started = performance.now();
    let seq = 0;
    for (let tick = 0; tick < SECONDS * 50; tick++) {
      const lines = [];
      for (let i = 0; i < perTick; i++, seq++) {
        lines.push(
          seq % 50 === 0
            ? `tailprobe seq=${seq} sentAt=${Date.now()}`
            : `INFO background line seq=${seq}`,
        );
      }
      void fetch(`${BASE}/api/v1/ingest?source=tail-bench`, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'text/plain' },
        body: lines.join('\n'),
      });
      const wait = started + (tick + 1) * 20 - performance.now();
      if (wait > 0) await sleep(wait);
    }
    await sleep(2000);
    socket.close();
    const expected = Math.ceil(seq / 50);
    const report = {
      benchmark: 'live tail latency',
      at: new Date().toISOString(),
      linesPerSecond: RATE,
      seconds: SECONDS,
      probesSent: expected,
      probesReceived: delays.length,
      skipped,
      latencyMs: {
        p50: percentile(delays, 50),
        p95: percentile(delays, 95),
        p99: percentile(delays, 99),
      },
      target: { p95Ms: 100, met: percentile(delays, 95) < 100 && delays.length === expected },
    };
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    const file = join(root, 'bench/results', `livetail-${report.at.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
    log(
      `received ${delays.length}/${expected} probes, p50 ${report.latencyMs.p50} ms, p95 ${report.latencyMs.p95} ms, p99 ${report.latencyMs.p99} ms`,
    );
    log(`report: ${file}`);
  } finally {
    lookout.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
