/* global URLSearchParams */
// Latency probes of `npm run bench`. A probe is one tagged line POSTed over HTTP (source
// `bench-probe`) every BENCH_PROBE_INTERVAL_MS; the same line times three things, from the start
// of the POST that was accepted:
//   - ingest → searchable: one poller asks the search API, every BENCH_PROBE_POLL_MS, for the
//     probes not yet seen (their tags OR-ed, from the oldest one's time on): one small query per
//     poll however many probes are outstanding;
//   - live tail: a socket.io client subscribed to `source:bench-probe` records each arrival;
//   - alert: one probe a second also carries the word `alertprobe`, which a pattern rule (one alert
//     per probe, grouped by fields.probe) fires on; the worker's transition time is read from
//     alert_transitions once the phase is over.
const { randomBytes } = require('node:crypto');
const { io } = require('socket.io-client');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const SOURCE = 'bench-probe';
const TAG = /\b(lp[a-z0-9]+n\d+)\b/;

class LatencyProbes {
  constructor({ baseUrl, apiKey, db, log, intervalMs, pollMs, liveTail, alertEveryMs = 1000 }) {
    this.liveTail = liveTail;
    this.baseUrl = baseUrl;
    this.apiKey = apiKey;
    this.db = db;
    this.log = log;
    this.intervalMs = intervalMs;
    this.pollMs = pollMs;
    this.alertEveryMs = alertEveryMs;
    this.run = randomBytes(3).toString('hex');
    this.count = 0;
    /** tag → probe record */
    this.records = new Map();
    /** Probe lines accepted (they are stored too, and counted in what a phase waits for). */
    this.accepted = 0;
  }

  /** Creates the alert rule (needs an editor token) and connects the live-tail subscriber. */
  async connect(token) {
    const response = await fetch(`${this.baseUrl}/api/v1/alert-rules`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: `bench alert probe ${this.run}`,
        type: 'pattern',
        severity: 'info',
        query: `source:${SOURCE} alertprobe`,
        groupBy: ['fields.probe'],
        settings: { coalesceSeconds: 1 },
      }),
    });
    if (response.status !== 201)
      throw new Error(`creating the alert rule: ${response.status} ${await response.text()}`);
    this.ruleId = (await response.json()).id;
    // Probe alerts notify nobody: silenced, their transitions are stored but never sent.
    const silence = await fetch(`${this.baseUrl}/api/v1/silences`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        ruleId: this.ruleId,
        endsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
        comment: 'npm run bench: latency probes',
      }),
    });
    if (silence.status !== 201)
      throw new Error(`creating the silence: ${silence.status} ${await silence.text()}`);
    if (this.liveTail) await this.subscribe();
  }

  async subscribe() {
    this.socket = io(`${this.baseUrl}/live`, {
      auth: { token: this.apiKey },
      transports: ['websocket'],
    });
    await new Promise((resolve, reject) =>
      this.socket.once('connect', resolve).once('connect_error', reject),
    );
    this.skipped = 0;
    this.socket.on('lines', (payload, ack) => {
      const now = performance.now();
      for (const line of payload.lines) {
        const record = this.records.get(TAG.exec(line.message)?.[1]);
        if (record && record.tailAt === undefined) record.tailAt = now;
      }
      if (typeof ack === 'function') ack();
    });
    this.socket.on('skipped', ({ count }) => (this.skipped += count));
    const ack = await new Promise((resolve) =>
      this.socket.emit('subscribe', { query: `source:${SOURCE}` }, resolve),
    );
    if (!ack?.ok) throw new Error(`live-tail subscribe refused: ${JSON.stringify(ack)}`);
    // The worker looks for live-tail listeners at most once a second before it publishes batches.
    await sleep(1500);
  }

  /** Disconnects the subscriber and disables the rule (so later phases pay for neither). */
  async close(token) {
    this.socket?.close();
    if (this.ruleId && token)
      await fetch(`${this.baseUrl}/api/v1/alert-rules/${this.ruleId}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ enabled: false }),
      });
  }

  /**
   * Starts probing under `label`. `stopPosting()` ends the posting (resolves once the last probe
   * is accepted); `finish()` then waits until every probe was seen (searchable and in the live
   * tail, up to `timeoutMs`) and resolves the latencies.
   */
  start(label) {
    let posting = true;
    let polling = true;
    const lastAlertAt = { value: -Infinity };
    const poster = (async () => {
      const started = performance.now();
      for (let tick = 1; posting; tick++) {
        await this.post(label, lastAlertAt);
        const wait = started + tick * this.intervalMs - performance.now();
        if (wait > 0) await sleep(wait);
      }
    })();
    const poller = (async () => {
      while (polling) {
        await this.poll(label).catch((error) => this.log(`  probe poll failed: ${error.message}`));
        await sleep(this.pollMs);
      }
    })();
    const stopPosting = async () => {
      posting = false;
      await poster;
    };
    return {
      stopPosting,
      finish: async ({ timeoutMs = 120_000 } = {}) => {
        await stopPosting();
        const probes = [...this.records.values()].filter((record) => record.label === label);
        const deadline = performance.now() + timeoutMs;
        while (
          performance.now() < deadline &&
          probes.some(
            (probe) =>
              probe.searchableAt === undefined || (this.liveTail && probe.tailAt === undefined),
          )
        )
          await sleep(100);
        polling = false;
        await poller;
        return this.results(probes);
      },
    };
  }

  async post(label, lastAlertAt) {
    const tag = `lp${this.run}n${this.count++}`;
    const alert = performance.now() - lastAlertAt.value >= this.alertEveryMs;
    if (alert) lastAlertAt.value = performance.now();
    const body = JSON.stringify({
      msg: `latency probe ${tag}${alert ? ' alertprobe' : ''}`,
      probe: tag,
    });
    const record = { tag, label, alert, pushedBack: 0 };
    for (;;) {
      record.postedAt = performance.now();
      record.postedWall = Date.now();
      this.records.set(tag, record);
      const response = await fetch(`${this.baseUrl}/api/v1/ingest?source=${SOURCE}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson', 'x-api-key': this.apiKey },
        body,
      });
      await response.text();
      if (response.status === 202) break;
      if (response.status !== 429 && response.status !== 503)
        throw new Error(`probe ingest answered ${response.status}`);
      record.pushedBack++;
      await sleep(Number(response.headers.get('retry-after') ?? 1) * 1000);
    }
    this.accepted++;
  }

  async poll(label) {
    const outstanding = [...this.records.values()]
      .filter((record) => record.label === label && record.searchableAt === undefined)
      .slice(0, 40);
    if (outstanding.length === 0) return;
    const from = new Date(Math.min(...outstanding.map((record) => record.postedWall)) - 5000);
    const query = new URLSearchParams({
      source: SOURCE,
      from: from.toISOString(),
      q: outstanding.map((record) => record.tag).join(' OR '),
      limit: '100',
    });
    const response = await fetch(`${this.baseUrl}/api/v1/logs?${query}`, {
      headers: { 'x-api-key': this.apiKey },
    });
    if (!response.ok) throw new Error(`search ${response.status} ${await response.text()}`);
    const now = performance.now();
    for (const item of (await response.json()).items) {
      const record = this.records.get(TAG.exec(item.message)?.[1]);
      if (record && record.searchableAt === undefined) record.searchableAt = now;
    }
  }

  async results(probes) {
    const alertProbes = probes.filter((probe) => probe.alert);
    if (alertProbes.length > 0) {
      await sleep(2000); // a transition follows its line's storing within ms; leave it ample time
      const { rows } = await this.db.query(
        `SELECT a.group_values->>'fields.probe' AS tag, min(t.at) AS at
           FROM alert_transitions t JOIN alerts a ON a.id = t.alert_id
          WHERE a.rule_id = $1 AND t.to_state = 'firing'
            AND a.group_values->>'fields.probe' = ANY($2)
          GROUP BY 1`,
        [this.ruleId, alertProbes.map((probe) => probe.tag)],
      );
      const fired = new Map(rows.map((row) => [row.tag, row.at.getTime()]));
      for (const probe of alertProbes) probe.firedWall = fired.get(probe.tag);
    }
    return {
      probes: probes.length,
      pushedBack: probes.reduce((sum, probe) => sum + probe.pushedBack, 0),
      searchableMs: latencySummary(probes, (probe) =>
        probe.searchableAt === undefined ? undefined : probe.searchableAt - probe.postedAt,
      ),
      liveTailMs: this.liveTail
        ? latencySummary(probes, (probe) =>
            probe.tailAt === undefined ? undefined : probe.tailAt - probe.postedAt,
          )
        : null,
      alertMs: latencySummary(alertProbes, (probe) =>
        probe.firedWall === undefined ? undefined : probe.firedWall - probe.postedWall,
      ),
      liveTailSkipped: this.skipped,
    };
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** p50/p95/p99/max of the probes that arrived; `missed`: probes never seen. */
function latencySummary(probes, measure) {
  const values = probes
    .map(measure)
    .filter((value) => value !== undefined)
    .sort((a, b) => a - b);
  const round = (value) => (value === null ? null : Math.round(value * 10) / 10);
  return {
    samples: values.length,
    missed: probes.length - values.length,
    p50: round(percentile(values, 50)),
    p95: round(percentile(values, 95)),
    p99: round(percentile(values, 99)),
    max: round(values.length > 0 ? values[values.length - 1] : null),
  };
}

module.exports = { LatencyProbes, latencySummary, percentile, PROBE_SOURCE: SOURCE };
