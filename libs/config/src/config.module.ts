import { DynamicModule, Global, Module } from '@nestjs/common';
import { LookoutConfig, loadConfig } from './config.schema';

/** Injection token of the validated configuration (an interface has no runtime token). */
export const LOOKOUT_CONFIG = Symbol('LOOKOUT_CONFIG');

@Global()
@Module({})
export class ConfigModule {
  /**
   * Validates the environment once for the whole process.
   * Tests pass their own variables (database, Redis prefix) instead of process.env.
   */
  static forRoot(env?: Record<string, string | undefined>): DynamicModule {
    const config: LookoutConfig = loadConfig(env ?? process.env);
    return {
      module: ConfigModule,
      providers: [{ provide: LOOKOUT_CONFIG, useValue: config }],
      exports: [LOOKOUT_CONFIG],
    };
  }
}
