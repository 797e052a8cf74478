import { Counter, Gauge, Histogram } from 'prom-client';

// Module-level, in prom-client's global registry (which GET /metrics renders). Per api process.

export const liveTailClients = new Gauge({
  name: 'lookout_livetail_clients',
  help: 'Live-tail connections open on this api process',
});

export const liveTailLinesSent = new Counter({
  name: 'lookout_livetail_lines_sent_total',
  help: 'Lines sent to live-tail clients (a line sent to two clients counts twice)',
});

export const liveTailLinesSkipped = new Counter({
  name: 'lookout_livetail_lines_skipped_total',
  help: 'Matching lines not sent to a live-tail client, by reason: paused, slow_client',
  labelNames: ['reason'] as const,
});

export const liveTailDelay = new Histogram({
  name: 'lookout_livetail_delay_ms',
  help: 'Per stored batch: from its first line being received to this api process fanning it out',
  buckets: [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000],
});
