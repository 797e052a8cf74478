import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { StoredBatchEvent } from '@app/contracts';
import { RedisService, STORED_BATCH_CHANNEL } from '@app/queue';
import type Redis from 'ioredis';
import type { LiveClient, LiveClientStats } from './live-client';
import { liveTailClients, liveTailDelay } from './live-tail.metrics';

/**
 * After the last client leaves, the Redis subscription is kept this long: a page reload then
 * does not miss the second the worker needs to notice a subscriber again (it asks PUBSUB NUMSUB
 * at most once a second, and publishes nothing while nobody listens).
 */
export const UNSUBSCRIBE_LINGER_MS = 10_000;

/**
 * The api process's single Redis subscription to stored batches, fanned out in memory to every
 * live-tail client of this process. Subscribed while at least one client is connected.
 */
@Injectable()
export class LiveTailHub implements OnModuleDestroy {
  private readonly logger = new Logger(LiveTailHub.name);
  private readonly clients = new Map<string, LiveClient>();
  private readonly channel: string;
  private subscriber: Redis | undefined;
  /** Whether we want to be subscribed; Redis commands follow it in order on `redisOps`. */
  private listening = false;
  private redisOps: Promise<void> = Promise.resolve();
  private lingerTimer: NodeJS.Timeout | undefined;

  constructor(private readonly redis: RedisService) {
    this.channel = redis.key(STORED_BATCH_CHANNEL);
  }

  add(client: LiveClient): void {
    this.clients.set(client.id, client);
    liveTailClients.inc();
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    this.setListening(true);
  }

  remove(id: string): void {
    if (!this.clients.delete(id)) return;
    liveTailClients.dec();
    if (this.clients.size > 0 || this.lingerTimer) return;
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = undefined;
      if (this.clients.size === 0) this.setListening(false);
    }, UNSUBSCRIBE_LINGER_MS);
    this.lingerTimer.unref();
  }

  client(id: string): LiveClient | undefined {
    return this.clients.get(id);
  }

  stats(): LiveClientStats[] {
    return [...this.clients.values()].map((client) => client.stats());
  }

  /** Resolves once the Redis SUBSCRIBE/UNSUBSCRIBE asked for so far has been answered. */
  async settled(): Promise<void> {
    await this.redisOps;
  }

  /** One stored batch: every client evaluates it against its own query. */
  deliver(event: StoredBatchEvent): void {
    const logs = event.logs;
    if (!Array.isArray(logs) || logs.length === 0) return;
    const receivedAt = Date.parse(logs[0].receivedAt);
    if (Number.isFinite(receivedAt)) liveTailDelay.observe(Math.max(0, Date.now() - receivedAt));
    for (const client of this.clients.values()) {
      try {
        client.offer(logs);
      } catch (error) {
        this.logger.warn(`Live tail client ${client.id}: ${(error as Error).message}`);
      }
    }
  }

  onModuleDestroy(): void {
    clearTimeout(this.lingerTimer);
    this.subscriber?.removeAllListeners('message');
  }

  private setListening(wanted: boolean): void {
    if (wanted === this.listening) return;
    this.listening = wanted;
    this.redisOps = this.redisOps
      .then(async () => {
        const subscriber = this.subscriberConnection();
        if (wanted) await subscriber.subscribe(this.channel);
        else await subscriber.unsubscribe(this.channel);
      })
      .catch((error: Error) =>
        this.logger.warn(
          `Could not ${wanted ? 'subscribe to' : 'unsubscribe from'} ${this.channel}: ${error.message}`,
        ),
      );
  }

  private subscriberConnection(): Redis {
    if (!this.subscriber) {
      // One connection per process, however many clients; ioredis resubscribes after reconnects.
      this.subscriber = this.redis.createSubscriber();
      this.subscriber.on('message', (channel: string, message: string) => {
        if (channel !== this.channel) return;
        let event: StoredBatchEvent;
        try {
          event = JSON.parse(message) as StoredBatchEvent;
        } catch (error) {
          this.logger.warn(`Unreadable stored-batch announcement: ${(error as Error).message}`);
          return;
        }
        this.deliver(event);
      });
    }
    return this.subscriber;
  }
}
