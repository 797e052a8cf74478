#!/usr/bin/env node
// Notification latency: starts api + worker on a fresh database (bench/system.js), a local SMTP
// server (npm smtp-server) and an HTTP receiver, creates one email and one webhook channel, then
// enqueues alert notifications on the `notifications` queue exactly as the alerting stage does
// (job `notify-alert`, job id = transition id). Measures enqueue → mail accepted by the SMTP server
// and enqueue → webhook received, per alert:
//   - steady: BENCH_NOTIFY_RATE alerts/s (default 20) for BENCH_NOTIFY_SECONDS (default 15);
//   - burst: BENCH_NOTIFY_BURST alerts at once (default 300), for throughput and queueing.
// Reports p50/p95/p99 and writes bench/results/notify-<timestamp>.json.
const { createServer } = require('node:http');
const net = require('node:net');
const { createHmac } = require('node:crypto');
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Queue } = require('bullmq');
const { SMTPServer } = require('smtp-server');
const { startLookout, sleep } = require('./system');

const root = join(__dirname, '..');
const RATE = Number(process.env.BENCH_NOTIFY_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_NOTIFY_SECONDS ?? 15);
const BURST = Number(process.env.BENCH_NOTIFY_BURST ?? 300);
const PORT = Number(process.env.BENCH_PORT ?? 8186);
const NAME = 'notify-bench';
const SECRET = 'bench-webhook-secret-0123456789';
const log = (message) =>
  console.log(`[notify-bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(delays, expected) {
  const round = (value) => (value === null ? null : Math.round(value * 10) / 10);
  return {
    expected,
    received: delays.length,
    p50: round(percentile(delays, 50)),
    p95: round(percentile(delays, 95)),
    p99: round(percentile(delays, 99)),
    max: round(delays.length ? Math.max(...delays) : null),
  };
}

/** A local SMTP server (plain, no auth: the SMTP exchange itself is what is timed). */
async function startSmtp(onMail) {
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    size: 10 * 1024 * 1024,
    onData(stream, _session, callback) {
      const chunks = [];
      stream.on('data', (chunk) => chunks.push(chunk));
      stream.on('end', () => {
        const acceptedAt = Date.now();
        const subject = /^Subject: (.*)$/m.exec(Buffer.concat(chunks).toString('utf8'))?.[1] ?? '';
        onMail(subject, acceptedAt);
        callback();
      });
    },
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: server.server.address().port };
}

/** An HTTP receiver that checks the signature, as a real one would. */
async function startReceiver(onHook) {
  let badSignatures = 0;
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const receivedAt = Date.now();
      const body = Buffer.concat(chunks);
      const timestamp = request.headers['x-lookout-timestamp'];
      const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.`).update(body).digest('hex')}`;
      if (request.headers['x-lookout-signature'] !== expected) badSignatures++;
      onHook(JSON.parse(body.toString('utf8')).alert.transitionId, receivedAt);
      response.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: server.address().port, badSignatures: () => badSignatures };
}

function portFree(port) {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '0.0.0.0', () => probe.close(() => resolve(true)));
  });
}

function notification(id) {
  const now = new Date();
  return {
    transitionId: `bench-${id}`,
    alertId: `bench-alert-${id}`,
    ruleId: 'bench-rule',
    ruleName: `bench-${id}`,
    ruleType: 'threshold',
    severity: 'critical',
    state: 'firing',
    repeat: false,
    query: 'level:error',
    group: { host: 'web-1' },
    groupKey: 'host=web-1',
    value: 42,
    threshold: 10,
    comparison: '>',
    windowStart: new Date(now.getTime() - 60_000).toISOString(),
    windowEnd: now.toISOString(),
    reason: '42 lines matching level:error in 1m > 10 (host=web-1)',
    startedAt: now.toISOString(),
    resolvedAt: null,
    samples: Array.from({ length: 5 }, (_, i) => ({
      id: String(1_000_000 + i),
      ts: now.toISOString(),
      level: 'error',
      source: 'bench',
      host: 'web-1',
      message: `payment failed for order ${id}-${i}: upstream timeout after 30000 ms <b>&</b>`,
      highlights: [],
    })),
    channelIds: [],
    recipients: [],
  };
}

async function api(baseUrl, token, method, path, body) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

async function main() {
  const enqueuedAt = new Map();
  const mailDelays = [];
  const hookDelays = [];
  const phaseOf = new Map();
  const record = (delays, id, at) => {
    const started = enqueuedAt.get(id);
    if (started !== undefined) delays.push({ phase: phaseOf.get(id), ms: at - started });
  };
  const smtp = await startSmtp((subject, at) => {
    const id = /bench-(\S+)/.exec(subject)?.[1];
    if (id) record(mailDelays, `bench-${id}`, at);
  });
  const receiver = await startReceiver((transitionId, at) => record(hookDelays, transitionId, at));

  // startLookout would take any api answering on the port for ours: refuse a busy port.
  if (!(await portFree(PORT))) throw new Error(`port ${PORT} is in use: set BENCH_PORT`);
  process.env.WEBHOOK_ALLOW = '127.0.0.1'; // the receiver runs on this machine
  const lookout = await startLookout({ name: NAME, port: PORT });
  const queue = new Queue('notifications', {
    connection: { host: '127.0.0.1', port: 6379 },
    prefix: `lookout-${NAME}`,
  });
  try {
    const { baseUrl, accessToken } = lookout;
    await api(baseUrl, accessToken, 'POST', '/api/v1/channels', {
      name: 'bench email',
      type: 'email',
      severities: ['critical'],
      rateLimit: null,
      settings: {
        host: '127.0.0.1',
        port: smtp.port,
        to: ['oncall@bench.test'],
        from: 'bench@bench.test',
      },
    });
    await api(baseUrl, accessToken, 'POST', '/api/v1/channels', {
      name: 'bench webhook',
      type: 'webhook',
      severities: ['critical'],
      rateLimit: null,
      settings: { url: `http://127.0.0.1:${receiver.port}/hook`, secret: SECRET },
    });
    await sleep(1000); // the worker is consuming

    // As QueueProducer.notifyAlert does: job id = transition id, the queue's default options.
    const enqueue = async (id, phase) => {
      const n = notification(id);
      phaseOf.set(n.transitionId, phase);
      enqueuedAt.set(n.transitionId, Date.now());
      await queue.add('notify-alert', n, {
        jobId: n.transitionId,
        attempts: 40,
        backoff: { type: 'custom' },
        removeOnComplete: true,
        removeOnFail: false,
      });
    };
    const waitAll = async (phase, expected) => {
      const deadline = Date.now() + 120_000;
      const count = (delays) => delays.filter((d) => d.phase === phase).length;
      while (count(mailDelays) < expected || count(hookDelays) < expected) {
        if (Date.now() > deadline) {
          log(
            `${phase}: timed out with ${count(mailDelays)} mails, ${count(hookDelays)} webhooks of ${expected}`,
          );
          return;
        }
        await sleep(50);
      }
    };

    const steadyCount = Math.round(RATE * SECONDS);
    log(`steady: ${RATE} alerts/s for ${SECONDS} s (${steadyCount} alerts, 2 deliveries each)`);
    const started = performance.now();
    for (let i = 0; i < steadyCount; i++) {
      await enqueue(`s${i}`, 'steady');
      const wait = started + ((i + 1) * 1000) / RATE - performance.now();
      if (wait > 0) await sleep(wait);
    }
    await waitAll('steady', steadyCount);

    log(`burst: ${BURST} alerts at once`);
    const burstStarted = Date.now();
    await Promise.all(Array.from({ length: BURST }, (_, i) => enqueue(`b${i}`, 'burst')));
    await waitAll('burst', BURST);
    const burstSeconds = (Date.now() - burstStarted) / 1000;

    const of = (delays, phase) => delays.filter((d) => d.phase === phase).map((d) => d.ms);
    const report = {
      benchmark: 'notifications: enqueue → SMTP accepted / webhook received',
      at: new Date().toISOString(),
      measuredFrom:
        'notify-alert job enqueued (the alerting stage enqueues it right after evaluating the stored batch)',
      steady: {
        alertsPerSecond: RATE,
        alerts: steadyCount,
        emailMs: summary(of(mailDelays, 'steady'), steadyCount),
        webhookMs: summary(of(hookDelays, 'steady'), steadyCount),
      },
      burst: {
        alerts: BURST,
        seconds: Number(burstSeconds.toFixed(2)),
        deliveriesPerSecond: Math.round((2 * BURST) / burstSeconds),
        emailMs: summary(of(mailDelays, 'burst'), BURST),
        webhookMs: summary(of(hookDelays, 'burst'), BURST),
      },
      badSignatures: receiver.badSignatures(),
    };
    report.target = {
      p95Ms: 2000,
      met:
        report.steady.emailMs.p95 !== null &&
        report.steady.emailMs.p95 < 2000 &&
        report.steady.webhookMs.p95 < 2000 &&
        report.steady.emailMs.received === steadyCount &&
        report.steady.webhookMs.received === steadyCount &&
        report.badSignatures === 0,
    };
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    const file = join(root, 'bench/results', `notify-${report.at.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
    console.log(JSON.stringify(report, null, 2));
    const line = (name, s) =>
      `${name} p50 ${s.p50} ms, p95 ${s.p95} ms, p99 ${s.p99} ms (${s.received}/${s.expected})`;
    log(
      `steady ${line('email', report.steady.emailMs)}; ${line('webhook', report.steady.webhookMs)}`,
    );
    log(
      `burst of ${BURST}: ${report.burst.deliveriesPerSecond} deliveries/s; ${line('email', report.burst.emailMs)}; ${line('webhook', report.burst.webhookMs)}`,
    );
    log(`report: ${file}`);
    if (!report.target.met) process.exitCode = 1;
  } finally {
    await queue.close();
    lookout.stop();
    smtp.server.close();
    receiver.server.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
