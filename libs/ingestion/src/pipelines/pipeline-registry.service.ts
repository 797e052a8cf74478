import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { RedisService } from '@app/queue';
import type Redis from 'ioredis';
import { Repository } from 'typeorm';
import { compileSourcePipeline, type SourcePipeline } from './pipeline-compiler';
import { GrokPatternEntity, PipelineEntity, loadCustomPatterns } from './pipeline.entity';

/** Redis channel (after the prefix) announcing that pipelines or patterns changed. */
export const PIPELINES_CHANGED_CHANNEL = 'pipelines-changed';
/** Safety net if an announcement is missed (Redis restart): reload this often anyway. */
const RELOAD_EVERY_MS = 30_000;

/**
 * The compiled pipeline of every source, kept current in running workers without a restart:
 * reloaded when the api announces a change on Redis, and every 30 s.
 */
@Injectable()
export class PipelineRegistry implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PipelineRegistry.name);
  private bySource = new Map<string, SourcePipeline>();
  private subscriber: Redis | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @InjectRepository(PipelineEntity) private readonly pipelines: Repository<PipelineEntity>,
    @InjectRepository(GrokPatternEntity) private readonly patterns: Repository<GrokPatternEntity>,
    private readonly redis: RedisService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
    this.subscriber = this.redis.createSubscriber();
    await this.subscriber.subscribe(this.redis.key(PIPELINES_CHANGED_CHANNEL));
    this.subscriber.on('message', () => void this.reload());
    this.timer = setInterval(() => void this.reload(), RELOAD_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  forSource(source: string): SourcePipeline | undefined {
    return this.bySource.get(source);
  }

  /** Compiles every enabled pipeline; one that no longer compiles is skipped with an error log. */
  async reload(): Promise<void> {
    try {
      const [rows, custom] = await Promise.all([
        this.pipelines.find({ where: { enabled: true } }),
        loadCustomPatterns(this.patterns),
      ]);
      const next = new Map<string, SourcePipeline>();
      for (const row of rows) {
        try {
          next.set(row.source, compileSourcePipeline(row.steps, custom, row.timeZone));
        } catch (error) {
          this.logger.error(
            `Pipeline "${row.name}" does not compile, its source is auto-detected: ${(error as Error).message}`,
          );
        }
      }
      this.bySource = next;
    } catch (error) {
      this.logger.warn(`Could not reload pipelines: ${(error as Error).message}`);
    }
  }
}
