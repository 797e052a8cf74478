import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { Public } from '@app/auth';
import { RedisService } from '@app/queue';
import type { FastifyReply } from 'fastify';

const PROBE_TIMEOUT_MS = 2000;

/**
 * `/health` is readiness (PostgreSQL and Redis answer: a load balancer may send traffic here),
 * `/health/live` is liveness (the process answers: restart it otherwise). Both public.
 */
@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisService,
  ) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Readiness: PostgreSQL and Redis reachable' })
  @ApiOkResponse({ schema: { example: { status: 'ok', checks: { postgres: 'up', redis: 'up' } } } })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down (`status: degraded`)' })
  async readiness(@Res() reply: FastifyReply): Promise<void> {
    const result = await this.health
      .check([
        () => this.database.pingCheck('postgres', { timeout: PROBE_TIMEOUT_MS }),
        () => this.redisCheck(),
      ])
      .catch((error: { response?: { details?: Record<string, { status: string }> } }) => ({
        status: 'error' as const,
        details: error.response?.details ?? {},
      }));
    const state = (name: string): 'up' | 'down' =>
      result.details?.[name]?.status === 'up' ? 'up' : 'down';
    const checks = { postgres: state('postgres'), redis: state('redis') };
    const healthy = checks.postgres === 'up' && checks.redis === 'up';
    await reply
      .status(healthy ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
      .send({ status: healthy ? 'ok' : 'degraded', checks });
  }

  @Public()
  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers (no dependency checked)' })
  @ApiOkResponse({ schema: { example: { status: 'ok', uptimeSeconds: 42 } } })
  live(): { status: 'ok'; uptimeSeconds: number } {
    return { status: 'ok', uptimeSeconds: Math.round(process.uptime()) };
  }

  private async redisCheck(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('redis');
    try {
      await Promise.race([
        this.redis.client.ping(),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS).unref(),
        ),
      ]);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
