import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { RedisService } from '@app/queue';
import { Counter, register } from 'prom-client';

/** Redis hash (after the prefix) of delivery outcomes, summed over every process. */
const STATS_KEY = 'stats:notifications';

/**
 * sent / failed / refused: one attempt's outcome; dead: a delivery given up (dead-lettered);
 * suppressed: held back by a channel's rate limit (listed in the window's summary).
 */
export type DeliveryOutcome = 'sent' | 'failed' | 'refused' | 'dead' | 'suppressed';

/** Where the api's counter reads from; the newest api module in the process wins (tests boot several). */
let source: RedisService | undefined;

/**
 * Deliveries happen in workers, which serve no /metrics: outcomes are counted in Redis and the
 * api's counter (default registry, like the ingest counters) reports the sum at scrape time. Every
 * api process reads the same sum: with API_PROCESSES > 1 the processes' values are aggregated
 * with max, not added.
 */
function deliveriesCounter(): Counter<'channel_type' | 'outcome'> {
  const existing = register.getSingleMetric('lookout_notification_deliveries_total');
  if (existing) return existing as Counter<'channel_type' | 'outcome'>;
  return new Counter({
    name: 'lookout_notification_deliveries_total',
    aggregator: 'max',
    help: 'Notification delivery outcomes by channel type: attempts sent, failed or refused; deliveries dead-lettered or suppressed by a rate limit',
    labelNames: ['channel_type', 'outcome'] as const,
    async collect() {
      if (!source) return;
      const stats = await source.client.hgetall(source.key(STATS_KEY));
      this.reset();
      for (const [field, value] of Object.entries(stats)) {
        const [channelType, outcome] = field.split(':');
        this.inc({ channel_type: channelType, outcome }, Number(value));
      }
    },
  });
}

@Injectable()
export class DeliveryMetrics {
  private readonly logger = new Logger(DeliveryMetrics.name);

  constructor(private readonly redis: RedisService) {}

  count(channelType: string, outcome: DeliveryOutcome): void {
    this.redis.client
      .hincrby(this.redis.key(STATS_KEY), `${channelType}:${outcome}`, 1)
      .catch((error: Error) => this.logger.warn(`Could not count a delivery: ${error.message}`));
  }
}

/** Api side: exposes the counter in /metrics. */
@Injectable()
export class DeliveryMetricsExporter implements OnModuleDestroy {
  constructor(private readonly redis: RedisService) {
    source = redis;
    deliveriesCounter();
  }

  onModuleDestroy(): void {
    if (source === this.redis) source = undefined;
  }
}
