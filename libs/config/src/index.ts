export { ConfigModule, LOOKOUT_CONFIG } from './config.module';
export {
  ConfigError,
  DEFAULT_DATABASE_URL,
  DEFAULT_REDIS_URL,
  loadConfig,
  nestLogLevels,
  type LookoutConfig,
} from './config.schema';
export { loggerOptions, loggingModule, useStructuredLogs } from './logging';
