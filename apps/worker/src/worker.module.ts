import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AlertingWorkerModule } from '@app/alerting';
import { ConfigModule, loadConfig, loggingModule } from '@app/config';
import { IngestionWorkerModule } from '@app/ingestion';
import { NotificationsWorkerModule } from '@app/notifications';
import { QueueModule } from '@app/queue';
import { RetentionWorkerModule } from '@app/retention';
import { StorageWorkerModule } from '@app/storage';
import { MetricsServer } from './metrics-server.service';

/** Queue consumers and scheduled chores; its only HTTP is its own /metrics (MetricsServer). */
@Module({})
export class WorkerModule {
  static forRoot(env?: Record<string, string | undefined>): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(env),
        loggingModule(loadConfig(env ?? process.env), 'worker'),
        ScheduleModule.forRoot(),
        QueueModule,
        StorageWorkerModule,
        IngestionWorkerModule,
        NotificationsWorkerModule,
        AlertingWorkerModule,
        RetentionWorkerModule,
      ],
      providers: [MetricsServer],
    };
  }
}
