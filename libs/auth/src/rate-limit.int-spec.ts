import { Controller, Get, Post } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { getOptionsToken, getStorageToken } from '@nestjs/throttler';
import { ConfigModule } from '@app/config';
import { QueueModule } from '@app/queue';
import { createTestEnv, type TestEnv } from '@app/testing';
import { Public, RequireScope } from './decorators';
import { RateLimitGuard, RedisThrottlerStorage, rateLimitOptions } from './rate-limit';
import { securitySettings, type SecuritySettings } from './security-settings';

@Public()
@Controller('limited')
class LimitedController {
  @Get('a')
  a(): string {
    return 'a';
  }

  @Get('b')
  b(): string {
    return 'b';
  }

  @RequireScope('ingest')
  @Post('ingest')
  ingest(): string {
    return 'ok';
  }
}

/** The rate limits with real Redis: per address, per credential, ingest in its own bucket. */
describe('rate limits (real Redis)', () => {
  let testEnv: TestEnv;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    testEnv = createTestEnv('rate_limit');
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(testEnv.env), QueueModule],
      controllers: [LimitedController],
      providers: [
        {
          provide: getOptionsToken(),
          inject: [Reflector],
          useFactory: (reflector: Reflector) => {
            const settings: SecuritySettings = {
              ...securitySettings({ jwtTtlSeconds: 900 } as never),
              rateLimit: { windowSeconds: 60, apiPerWindow: 5, ingestPerWindow: 8 },
            };
            return rateLimitOptions(settings, reflector);
          },
        },
        { provide: getStorageToken(), useClass: RedisThrottlerStorage },
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app?.close();
    await testEnv?.cleanup();
  });

  const get = (path: string, ip: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url: path, remoteAddress: ip, headers });

  it('limits each address over all routes together, then answers 429 with Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await get(i % 2 ? '/limited/a' : '/limited/b', '10.0.0.1')).statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = await get('/limited/a', '10.0.0.1');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after-ip'])).toBeGreaterThan(0);
    // Another address has its own bucket.
    expect((await get('/limited/a', '10.0.0.2')).statusCode).toBe(200);
  });

  it('limits each credential whatever address it comes from', async () => {
    const headers = { 'x-api-key': 'lk_some-key' };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await get('/limited/a', `10.1.0.${i + 1}`, headers)).statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    // Same addresses, another credential: fine.
    expect(
      (await get('/limited/a', '10.1.0.7', { authorization: 'Bearer other' })).statusCode,
    ).toBe(200);
  });

  it('counts ingest routes in their own, larger bucket', async () => {
    for (let i = 0; i < 5; i++) expect((await get('/limited/a', '10.2.0.1')).statusCode).toBe(200);
    expect((await get('/limited/a', '10.2.0.1')).statusCode).toBe(429);
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) {
      const response = await app.inject({
        method: 'POST',
        url: '/limited/ingest',
        remoteAddress: '10.2.0.1',
      });
      statuses.push(response.statusCode);
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 201, 201, 201, 429]);
  });

  it('keeps its counters in Redis under the installation prefix', async () => {
    const { default: Redis } = await import('ioredis');
    const redis = new Redis(testEnv.env.REDIS_URL);
    try {
      const keys = await redis.keys(`${testEnv.redisPrefix}:rate:*`);
      expect(keys.length).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });
});
