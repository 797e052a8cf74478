import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  ThrottlerException,
  ThrottlerGuard,
  getOptionsToken,
  getStorageToken,
  normalizeIp,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { RedisService } from '@app/queue';
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isIngestRoute, routeAccess } from './roles.guard';
import type { SecuritySettings } from './security-settings';

// Fixed window per key; past the limit the key is blocked for `blockMs`, and blocked requests do
// not count. Returns {hits, window ms left, blocked 0|1, block ms left}.
const INCREMENT = `
local blockLeft = redis.call('PTTL', KEYS[2])
if blockLeft > 0 then
  return {tonumber(redis.call('GET', KEYS[1]) or '0'), math.max(redis.call('PTTL', KEYS[1]), 0), 1, blockLeft}
end
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local left = redis.call('PTTL', KEYS[1])
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return {hits, left, 1, tonumber(ARGV[3])}
end
return {hits, left, 0, 0}`;

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** Rate-limit counters in Redis, so every api process shares them (keys under the prefix). */
@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage {
  constructor(private readonly redis: RedisService) {}

  async increment(
    key: string,
    ttlMs: number,
    limit: number,
    blockMs: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const base = this.redis.key(`rate:${throttlerName}:${key}`);
    const [hits, leftMs, blocked, blockLeftMs] = (await this.redis.client.eval(
      INCREMENT,
      2,
      base,
      `${base}:blocked`,
      ttlMs,
      limit,
      blockMs,
    )) as [number, number, number, number];
    return {
      totalHits: hits,
      timeToExpire: Math.ceil(leftMs / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.ceil(blockLeftMs / 1000),
    };
  }
}

/** The credential a request carries, unverified: it only names a rate-limit bucket. */
function credentialOf(headers: IncomingHttpHeaders): string | undefined {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey !== '') return apiKey;
  const authorization = headers.authorization;
  return typeof authorization === 'string' && authorization !== '' ? authorization : undefined;
}

/**
 * Two limits on every route, each per window: per client address, and per credential (an API key,
 * or an access token). Ingest routes count in their own, larger buckets. The credential is not
 * verified here (this guard runs before authentication, so floods of bad requests are cut before
 * they cost a lookup): a made-up credential only gets a bucket of its own, and the address limit
 * still applies to it.
 */
export function rateLimitOptions(
  settings: SecuritySettings,
  reflector: Reflector,
): ThrottlerModuleOptions {
  const { windowSeconds, apiPerWindow, ingestPerWindow } = settings.rateLimit;
  const ingest = (context: ExecutionContext) =>
    isIngestRoute(routeAccess(reflector, context.getHandler(), context.getClass()));
  const limit = (context: ExecutionContext) => (ingest(context) ? ingestPerWindow : apiPerWindow);
  const request = (context: ExecutionContext) =>
    context.switchToHttp().getRequest<{ ip: string; headers: IncomingHttpHeaders }>();
  return {
    throttlers: [
      {
        name: 'ip',
        ttl: windowSeconds * 1000,
        limit,
        // An IPv6 client usually holds a whole /64: count it as one address.
        getTracker: (req) => normalizeIp(String(req.ip)),
      },
      {
        name: 'credential',
        ttl: windowSeconds * 1000,
        limit,
        skipIf: (context) => credentialOf(request(context).headers) === undefined,
        getTracker: (req) => credentialOf(req.headers as IncomingHttpHeaders) ?? '',
      },
    ],
    // One bucket per tracker for all routes (the library's default is one per route).
    generateKey: (context, tracker, name) =>
      createHash('sha256')
        .update(`${name}\0${ingest(context) ? 'ingest' : 'api'}\0${tracker}`)
        .digest('hex'),
  };
}

/** 429 with Retry-After (the JSON error filter turns `retryAfterSeconds` into the header). */
export class RateLimitedException extends ThrottlerException {
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many requests: try again in ${retryAfterSeconds} s`);
  }
}

/** The global rate-limit guard: runs first, on HTTP routes only (WebSocket has its own checks). */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @Inject(getOptionsToken()) options: ThrottlerModuleOptions,
    @Inject(getStorageToken()) storage: ThrottlerStorage,
    reflector: Reflector,
  ) {
    super(options, storage, reflector);
  }

  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(context.getType() !== 'http');
  }

  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new RateLimitedException(Math.max(1, detail.timeToBlockExpire));
  }
}
