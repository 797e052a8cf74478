import { Controller, Get, Header, Injectable } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@app/auth';
import { PIPELINE_STATS_KEY, QueueName, QueueProducer, RedisService } from '@app/queue';
import { Gauge, Registry, collectDefaultMetrics, register as globalRegistry } from 'prom-client';
import { clusterMetrics } from './api-cluster';

let defaultMetricsStarted = false;

/**
 * Prometheus metrics of the whole pipeline. Counters kept in this process (lines accepted) live in
 * the global registry; what workers count is read from Redis at scrape time, so any api process
 * reports the sum over all workers. With API_PROCESSES > 1 the global registries of all api
 * processes are aggregated by the primary, so a scrape gets the same totals whichever process
 * answers it.
 */
@Injectable()
export class MetricsService {
  private readonly registry = new Registry();

  constructor(producer: QueueProducer, redis: RedisService) {
    if (!defaultMetricsStarted) {
      collectDefaultMetrics({ prefix: 'lookout_api_' });
      defaultMetricsStarted = true;
    }
    new Gauge({
      name: 'lookout_queue_jobs',
      help: 'Jobs in a queue by state (one job is one batch of lines)',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        for (const queue of Object.values(QueueName)) {
          const counts = await producer.jobCounts(queue);
          for (const [state, count] of Object.entries(counts)) this.set({ queue, state }, count);
        }
      },
    });
    new Gauge({
      name: 'lookout_pipeline_total',
      help: 'Pipeline counters summed over all workers: lines_stored, batches_stored, batches_duplicate, parse_errors',
      labelNames: ['counter'] as const,
      registers: [this.registry],
      async collect() {
        const stats = await redis.client.hgetall(redis.key(PIPELINE_STATS_KEY));
        for (const counter of [
          'lines_stored',
          'batches_stored',
          'batches_duplicate',
          'parse_errors',
        ]) {
          this.set({ counter }, Number(stats[counter] ?? 0));
        }
      },
    });
  }

  async render(): Promise<string> {
    const allProcesses = clusterMetrics();
    if (!allProcesses) return Registry.merge([globalRegistry, this.registry]).metrics();
    const [processes, shared] = await Promise.all([allProcesses, this.registry.metrics()]);
    return `${processes}${shared}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

@ApiTags('operations')
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Public()
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format)' })
  @ApiOkResponse({ schema: { type: 'string' } })
  render(): Promise<string> {
    return this.metrics.render();
  }
}
