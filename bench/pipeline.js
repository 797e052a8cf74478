// What the bench watches while it waits, chosen to cost the system nothing: the Redis counter
// `<prefix>:stats:pipeline` field `lines_stored` (every worker adds each batch's lines after its
// COPY commits) and the BullMQ job counts of `ingest-raw`. The database is counted once, at the end
// of a phase, never while waiting (a count(*) over millions of rows every 50 ms would take a good
// share of Postgres's CPU on a 2-core machine).
const { Queue } = require('bullmq');
const Redis = require('ioredis');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class PipelineWatch {
  constructor({ redisUrl, prefix }) {
    const url = new URL(redisUrl);
    const connection = {
      host: url.hostname,
      port: Number(url.port || 6379),
      password: url.password || undefined,
      db: Number(url.pathname.slice(1) || 0),
    };
    this.redis = new Redis({ ...connection, lazyConnect: false });
    this.queue = new Queue('ingest-raw', { connection, prefix });
    this.statsKey = `${prefix}:stats:pipeline`;
  }

  /** Lines stored so far by every worker (a monotonic counter). */
  async storedLines() {
    return Number((await this.redis.hget(this.statsKey, 'lines_stored')) ?? 0);
  }

  /** Jobs not yet finished: waiting, running, delayed (a retry) or prioritised. */
  async pendingJobs() {
    const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  }

  /**
   * Waits until `expected` lines (beyond `baseline`) are stored. Lines that may never come (UDP)
   * are `optional`: once `expected` are in, the queue is empty and nothing changed for `quietMs`,
   * the rest is taken as lost. Gives up when nothing changed for `stallMs` with an empty queue (a
   * line lost somewhere). Resolves the lines stored and when the last of them was seen (polls every
   * 100 ms, so `lastStoredAt` is up to 100 ms late).
   */
  async waitStored({
    baseline,
    expected,
    optional = 0,
    quietMs = 2000,
    stallMs = 15_000,
    label,
    log,
  }) {
    let stored = -1;
    let lastStoredAt = performance.now();
    let lastReport = performance.now();
    for (;;) {
      const now = performance.now();
      const current = (await this.storedLines()) - baseline;
      if (current !== stored) {
        stored = current;
        lastStoredAt = now;
      }
      if (stored >= expected + optional) return { stored, lastStoredAt, complete: true };
      const quiet = now - lastStoredAt;
      if (quiet >= Math.min(quietMs, stallMs)) {
        const pending = await this.pendingJobs();
        if (pending === 0 && stored >= expected && quiet >= quietMs)
          return { stored, lastStoredAt, complete: true };
        if (pending === 0 && quiet >= stallMs) return { stored, lastStoredAt, complete: false };
      }
      if (now - lastReport > 5000) {
        log(`  ${label}: ${stored} of ${expected + optional} lines stored`);
        lastReport = now;
      }
      await sleep(100);
    }
  }

  async close() {
    await this.queue.close();
    this.redis.disconnect();
  }
}

module.exports = { PipelineWatch };
