import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { RedisService } from '@app/queue';
import { randomUUID } from 'node:crypto';
import { AlertLifecycle } from '../lifecycle/alert-lifecycle.service';
import { AlertEvaluator } from './alert-evaluator.service';

/** Redis key (after the prefix) of the lock that lets one worker run each tick. */
const TICK_LOCK_KEY = 'alerting:tick-lock';
/** A worker that dies mid-tick holds the lock no longer than this. */
const LOCK_TTL_MS = 10_000;
/** Ticks start at least this far apart across all workers. */
const TICK_EVERY_MS = 1000;
/** Keeps the lock until TICK_EVERY_MS after the tick started (or drops it if that has passed). */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[2]) > 0 then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return redis.call('DEL', KEYS[1])`;

/**
 * Every second, one worker (whichever takes the Redis lock) evaluates what no stored line
 * triggers: resolutions when windows empty, absence, `for` durations, repeats; then re-sends
 * notifications that never reached the queue.
 */
@Injectable()
export class AlertTick {
  private readonly logger = new Logger(AlertTick.name);
  private running = false;

  constructor(
    private readonly evaluator: AlertEvaluator,
    private readonly lifecycle: AlertLifecycle,
    private readonly redis: RedisService,
  ) {}

  // Each worker tries slightly more often than the tick period, so a tick is never skipped
  // because two workers' timers drift in step with the lock.
  @Interval('alerting-tick', 250)
  async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const key = this.redis.key(TICK_LOCK_KEY);
    const token = randomUUID();
    const started = Date.now();
    try {
      if ((await this.redis.client.set(key, token, 'PX', LOCK_TTL_MS, 'NX')) !== 'OK') return;
      try {
        await this.evaluator.tick();
        await this.lifecycle.flushOutbox();
      } finally {
        const remaining = TICK_EVERY_MS - 50 - (Date.now() - started);
        await this.redis.client.eval(RELEASE_SCRIPT, 1, key, token, Math.max(0, remaining));
      }
    } catch (error) {
      this.logger.error(`Alert tick failed: ${(error as Error).stack ?? String(error)}`);
    } finally {
      this.running = false;
    }
  }
}
