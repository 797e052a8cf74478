import { Injectable } from '@nestjs/common';
import type { ChannelRateLimit } from '@app/contracts';
import { RedisService } from '@app/queue';

/**
 * A window opens with the first message after a quiet period and lasts `windowMs`; it counts
 * the messages in it. Atomic in Redis, so every worker shares one count per channel.
 */
const COUNT_IN_WINDOW = `
local start = redis.call('HGET', KEYS[1], 'start')
if not start then
  start = ARGV[1]
  redis.call('HSET', KEYS[1], 'start', start, 'count', 0)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
return {start, count}
`;

export interface FloodDecision {
  admitted: boolean;
  /** Start of the window (epoch ms): the summary of what it held back is sent at its end. */
  windowStart: number;
  windowEnd: number;
}

/** Per-channel rate limit: beyond `maxMessages` in a window, messages are held for the summary. */
@Injectable()
export class FloodControl {
  constructor(private readonly redis: RedisService) {}

  async admit(
    channelId: string,
    limit: ChannelRateLimit,
    now = Date.now(),
  ): Promise<FloodDecision> {
    const windowMs = limit.windowSeconds * 1000;
    const [start, count] = (await this.redis.client.eval(
      COUNT_IN_WINDOW,
      1,
      this.redis.key(`notify:rate:${channelId}`),
      String(now),
      String(windowMs),
    )) as [string, number];
    const windowStart = Number(start);
    return {
      admitted: Number(count) <= limit.maxMessages,
      windowStart,
      windowEnd: windowStart + windowMs,
    };
  }
}
