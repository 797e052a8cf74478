import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AlertingApiModule } from '@app/alerting';
import { AuthModule } from '@app/auth';
import { ConfigModule, loadConfig, loggingModule } from '@app/config';
import { CompatApiModule, IngestionApiModule, UploadApiModule } from '@app/ingestion';
import { LiveTailModule } from '@app/livetail';
import { NotificationsApiModule } from '@app/notifications';
import { QueueModule } from '@app/queue';
import { RetentionApiModule } from '@app/retention';
import { StorageApiModule, StorageModule } from '@app/storage';
import { HealthController } from './health.controller';
import { MetricsController, MetricsService } from './metrics.controller';

@Module({})
export class ApiModule {
  /** `env` replaces process.env (tests give each api its own database and Redis prefix). */
  static forRoot(env?: Record<string, string | undefined>): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(env),
        loggingModule(loadConfig(env ?? process.env), 'api'),
        QueueModule,
        StorageModule,
        StorageApiModule,
        IngestionApiModule,
        CompatApiModule,
        UploadApiModule,
        AuthModule,
        LiveTailModule,
        NotificationsApiModule,
        AlertingApiModule,
        RetentionApiModule,
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [MetricsService],
    };
  }
}
