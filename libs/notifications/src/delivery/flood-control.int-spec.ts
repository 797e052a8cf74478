import { loadConfig } from '@app/config';
import { RedisService } from '@app/queue';
import { randomBytes } from 'node:crypto';
import { FloodControl } from './flood-control';

/** The rate-limit window against the real Redis: shared counting, one window per channel. */
describe('FloodControl (real Redis)', () => {
  const prefix = `lookout-test-flood-${randomBytes(4).toString('hex')}`;
  const redis = new RedisService(
    loadConfig({
      REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_PREFIX: prefix,
    }),
  );
  const flood = new FloodControl(redis);

  afterAll(async () => {
    const keys = await redis.client.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.client.del(...keys);
    await redis.onApplicationShutdown();
  });

  it('admits maxMessages per window, then holds back, all in the window of the first message', async () => {
    const limit = { maxMessages: 3, windowSeconds: 600 };
    const decisions = [];
    for (let i = 0; i < 5; i++)
      decisions.push(await flood.admit('channel-a', limit, 1_000_000 + i));
    expect(decisions.map((d) => d.admitted)).toEqual([true, true, true, false, false]);
    expect(new Set(decisions.map((d) => d.windowStart))).toEqual(new Set([1_000_000]));
    expect(decisions[0].windowEnd).toBe(1_000_000 + 600_000);
    // Another channel counts on its own.
    expect((await flood.admit('channel-b', limit, 2_000_000)).admitted).toBe(true);
  });

  it('counts concurrent messages exactly once each', async () => {
    const limit = { maxMessages: 10, windowSeconds: 600 };
    const decisions = await Promise.all(
      Array.from({ length: 25 }, () => flood.admit('channel-c', limit)),
    );
    expect(decisions.filter((d) => d.admitted)).toHaveLength(10);
  });

  it('expires the window with its key', async () => {
    await flood.admit('channel-d', { maxMessages: 1, windowSeconds: 600 });
    const ttl = await redis.client.pttl(redis.key('notify:rate:channel-d'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(600_000);
  });
});
