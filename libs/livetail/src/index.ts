export { LiveTailModule } from './live-tail.module';
export { LiveTailHub, UNSUBSCRIBE_LINGER_MS } from './live-tail.hub';
export { LiveTailGateway, LIVE_TAIL_LIMITS, MAX_QUERY_LENGTH } from './live-tail.gateway';
export {
  DEFAULT_LIVE_TAIL_LIMITS,
  LiveClient,
  type LiveClientOutput,
  type LiveClientStats,
  type LiveTailLimits,
} from './live-client';
export { LiveQueryCompiler, LiveQueryError, type CompiledLiveQuery } from './live-query';
