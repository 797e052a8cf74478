import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import Redis from 'ioredis';
import { redisOptionsFromUrl } from './redis-connection';

/**
 * The process's plain Redis connection (counters, pub/sub publishing) and the naming of every
 * key and channel under the configured prefix. BullMQ keeps its own connections.
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisService.name);
  readonly client: Redis;
  private subscribers: Redis[] = [];

  constructor(@Inject(LOOKOUT_CONFIG) private readonly config: LookoutConfig) {
    this.client = new Redis({ ...redisOptionsFromUrl(config.redisUrl), maxRetriesPerRequest: 3 });
    this.client.on('error', (error) => this.logger.warn(`Redis: ${error.message}`));
  }

  /** A key or channel name under this installation's prefix. */
  key(name: string): string {
    return `${this.config.redisPrefix}:${name}`;
  }

  /** A dedicated connection for SUBSCRIBE (a subscribed connection can do nothing else). */
  createSubscriber(): Redis {
    const subscriber = new Redis({
      ...redisOptionsFromUrl(this.config.redisUrl),
      maxRetriesPerRequest: null,
    });
    subscriber.on('error', (error) => this.logger.warn(`Redis subscriber: ${error.message}`));
    this.subscribers.push(subscriber);
    return subscriber;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(
      [this.client, ...this.subscribers].map((connection) => connection.quit()),
    );
  }
}
