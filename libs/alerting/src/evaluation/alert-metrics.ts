import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { RedisService } from '@app/queue';
import { Counter, Gauge } from 'prom-client';

/** Redis hash (after the prefix) where every worker adds its alerting counters. */
const STATS_KEY = 'alerting:stats';
/** Upper bounds (seconds) of the evaluation-time histogram. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export type EvaluationPath = 'batch' | 'tick';

/**
 * Worker side: counts evaluations, their time, transitions and notifications into Redis, so the
 * api's /metrics reports one sum over all workers (a worker's own /metrics serves only its
 * process and batch metrics).
 */
@Injectable()
export class AlertMetrics {
  private readonly logger = new Logger(AlertMetrics.name);

  constructor(private readonly redis: RedisService) {}

  /** One pass over `rules` rules (a stored batch, or the tick) that took `seconds`. */
  recordEvaluation(path: EvaluationPath, rules: number, seconds: number): void {
    const key = this.redis.key(STATS_KEY);
    const pipeline = this.redis.client
      .pipeline()
      .hincrby(key, `evaluations:${path}`, rules)
      .hincrby(key, `eval_count:${path}`, 1)
      .hincrbyfloat(key, `eval_sum:${path}`, seconds);
    for (const bound of BUCKETS)
      if (seconds <= bound) pipeline.hincrby(key, `eval_le:${path}:${bound}`, 1);
    pipeline.hincrby(key, `eval_le:${path}:+Inf`, 1);
    void pipeline.exec().catch((error: Error) => this.logger.debug(error.message));
  }

  recordTransition(to: string, notified: boolean): void {
    const key = this.redis.key(STATS_KEY);
    const pipeline = this.redis.client.pipeline().hincrby(key, `transitions:${to}`, 1);
    if (notified) pipeline.hincrby(key, 'notifications', 1);
    void pipeline.exec().catch((error: Error) => this.logger.debug(error.message));
  }
}

// Module-level in prom-client's global registry (which the api's GET /metrics renders); the
// values are read from Redis at scrape time by the api process that set `source`. Every api
// process reads the same totals, so with API_PROCESSES > 1 they are aggregated with max, not summed.
let source: RedisService | undefined;

async function readStats(): Promise<Record<string, string>> {
  if (!source) return {};
  return source.client.hgetall(source.key(STATS_KEY));
}

const PATHS: EvaluationPath[] = ['batch', 'tick'];

new Counter({
  name: 'lookout_alert_evaluations_total',
  aggregator: 'max',
  help: 'Alert rule evaluations summed over all workers (rules × stored batches, rules × 1 s ticks)',
  labelNames: ['path'] as const,
  async collect() {
    const stats = await readStats();
    this.reset();
    for (const path of PATHS) this.inc({ path }, Number(stats[`evaluations:${path}`] ?? 0));
  },
});

new Counter({
  name: 'lookout_alert_transitions_total',
  aggregator: 'max',
  help: 'Alert transitions by new state (to="firing" counts fires), summed over all workers',
  labelNames: ['to'] as const,
  async collect() {
    const stats = await readStats();
    this.reset();
    for (const to of ['pending', 'firing', 'resolved'])
      this.inc({ to }, Number(stats[`transitions:${to}`] ?? 0));
  },
});

new Counter({
  name: 'lookout_alert_notifications_total',
  aggregator: 'max',
  help: 'Alert transitions sent to the notifications queue (firing, repeats, resolved)',
  async collect() {
    const stats = await readStats();
    this.reset();
    this.inc(Number(stats.notifications ?? 0));
  },
});

// A histogram assembled from Redis counters: the usual _bucket/_sum/_count series, so
// histogram_quantile() works on it.
new Gauge({
  name: 'lookout_alert_evaluation_seconds_bucket',
  aggregator: 'max',
  help: 'Time of one evaluation pass (all rules over one stored batch, or one tick): cumulative count per upper bound',
  labelNames: ['path', 'le'] as const,
  async collect() {
    const stats = await readStats();
    for (const path of PATHS) {
      for (const bound of [...BUCKETS.map(String), '+Inf'])
        this.set({ path, le: bound }, Number(stats[`eval_le:${path}:${bound}`] ?? 0));
    }
  },
});

new Gauge({
  name: 'lookout_alert_evaluation_seconds_sum',
  aggregator: 'max',
  help: 'Total time of evaluation passes',
  labelNames: ['path'] as const,
  async collect() {
    const stats = await readStats();
    for (const path of PATHS) this.set({ path }, Number(stats[`eval_sum:${path}`] ?? 0));
  },
});

new Gauge({
  name: 'lookout_alert_evaluation_seconds_count',
  aggregator: 'max',
  help: 'Evaluation passes',
  labelNames: ['path'] as const,
  async collect() {
    const stats = await readStats();
    for (const path of PATHS) this.set({ path }, Number(stats[`eval_count:${path}`] ?? 0));
  },
});

/** Api side: points the module-level metrics at this process's Redis. */
@Injectable()
export class AlertMetricsExporter implements OnModuleInit {
  constructor(private readonly redis: RedisService) {}

  onModuleInit(): void {
    source = this.redis;
  }
}
