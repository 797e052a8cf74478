import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { ConfigModule } from '@app/config';
import { IngestionWorkerModule } from '@app/ingestion';
import { QueueModule } from '@app/queue';
import { StorageWorkerModule } from '@app/storage';

/** Queue consumers and scheduled chores only: no HTTP. */
@Module({})
export class WorkerModule {
  static forRoot(env?: Record<string, string | undefined>): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(env),
        ScheduleModule.forRoot(),
        QueueModule,
        StorageWorkerModule,
        IngestionWorkerModule,
      ],
    };
  }
}
