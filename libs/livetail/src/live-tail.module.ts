import { Module } from '@nestjs/common';
import { AuthModule } from '@app/auth';
import { DEFAULT_LIVE_TAIL_LIMITS } from './live-client';
import { LiveQueryCompiler } from './live-query';
import { LiveTailAuthenticator } from './live-tail-auth';
import { LIVE_TAIL_LIMITS, LiveTailGateway } from './live-tail.gateway';
import { LiveTailHub } from './live-tail.hub';

/**
 * Live tail for the api: the socket.io gateway (/socket.io, namespace /live) and the process's one
 * Redis subscription to stored batches. Needs the global QueueModule (RedisService).
 */
@Module({
  imports: [AuthModule],
  providers: [
    LiveTailHub,
    LiveTailGateway,
    LiveTailAuthenticator,
    LiveQueryCompiler,
    { provide: LIVE_TAIL_LIMITS, useValue: DEFAULT_LIVE_TAIL_LIMITS },
  ],
  exports: [LiveTailHub],
})
export class LiveTailModule {}
