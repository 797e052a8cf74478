/* global AbortSignal */
// Per-batch numbers from each worker's own /metrics (WORKER_METRICS_PORT): the storing
// transaction (COPY) and parsing time per batch, and lines per batch. Scraped before and after a
// phase; the difference of the histograms is the phase's. A worker without the endpoint is skipped.
const HISTOGRAMS = {
  writeMs: { name: 'lookout_worker_batch_write_seconds', scale: 1000 },
  parseMs: { name: 'lookout_worker_batch_parse_seconds', scale: 1000 },
  lines: { name: 'lookout_worker_batch_lines', scale: 1 },
};

/** { metric → { buckets: [[le, cumulative count]], count, sum } } from the Prometheus text. */
function parseHistograms(text) {
  const result = {};
  for (const [key, { name }] of Object.entries(HISTOGRAMS)) {
    const buckets = [];
    let count = 0;
    let sum = 0;
    for (const line of text.split('\n')) {
      if (line.startsWith(`${name}_bucket`)) {
        const le = /le="([^"]+)"/.exec(line)?.[1];
        buckets.push([le === '+Inf' ? Infinity : Number(le), Number(line.split(' ').pop())]);
      } else if (line.startsWith(`${name}_count`)) count = Number(line.split(' ').pop());
      else if (line.startsWith(`${name}_sum`)) sum = Number(line.split(' ').pop());
    }
    if (buckets.length > 0) result[key] = { buckets, count, sum };
  }
  return result;
}

/** Scrapes every port; resolves { port → histograms } for those that answered. */
async function scrapeWorkers(ports) {
  const scraped = {};
  await Promise.all(
    ports.map(async (port) => {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/metrics`, {
          signal: AbortSignal.timeout(2000),
        });
        if (response.ok) scraped[port] = parseHistograms(await response.text());
      } catch {
        /* no endpoint on this worker: skipped */
      }
    }),
  );
  return scraped;
}

/** A quantile from cumulative buckets, interpolated inside its bucket (as Prometheus does). */
function histogramQuantile(buckets, count, q) {
  if (count === 0) return null;
  const rank = q * count;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [le, cumulative] of buckets) {
    if (cumulative >= rank) {
      if (le === Infinity) return lowerBound;
      const inBucket = cumulative - lowerCount;
      return inBucket === 0
        ? le
        : lowerBound + ((le - lowerBound) * (rank - lowerCount)) / inBucket;
    }
    lowerBound = le;
    lowerCount = cumulative;
  }
  return lowerBound;
}

/** Per worker, between two scrapes: batches, and mean, p50, p95 of each histogram. */
function workerMetricsBetween(before, after, names) {
  const result = {};
  for (const [port, histograms] of Object.entries(after)) {
    const name = names[port] ?? `port ${port}`;
    const worker = {};
    for (const [key, { scale }] of Object.entries(HISTOGRAMS)) {
      const end = histograms[key];
      if (!end) continue;
      const start = before[port]?.[key];
      const count = end.count - (start?.count ?? 0);
      const sum = end.sum - (start?.sum ?? 0);
      const buckets = end.buckets.map(([le, cumulative], i) => [
        le,
        cumulative - (start?.buckets[i]?.[1] ?? 0),
      ]);
      const round = (value) => (value === null ? null : Math.round(value * scale * 10) / 10);
      worker.batches = count;
      worker[key] = {
        mean: count > 0 ? round(sum / count) : null,
        p50: round(histogramQuantile(buckets, count, 0.5)),
        p95: round(histogramQuantile(buckets, count, 0.95)),
      };
    }
    if (Object.keys(worker).length > 0) result[name] = worker;
  }
  return result;
}

module.exports = { scrapeWorkers, workerMetricsBetween, histogramQuantile, parseHistograms };
