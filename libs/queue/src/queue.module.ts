import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import { DEFAULT_JOB_OPTIONS } from './queue-options';
import { QueueName } from './queue.constants';
import { QueueProducer } from './queue-producer.service';
import { redisOptionsFromUrl } from './redis-connection';
import { RedisService } from './redis.service';
import { StoredBatchBus } from './stored-batch-bus';

const queues = Object.values(QueueName).map((name) => BullModule.registerQueue({ name }));

/** BullMQ on the configured Redis, every queue registered, and the typed producer. */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [LOOKOUT_CONFIG],
      useFactory: (config: LookoutConfig) => ({
        connection: redisOptionsFromUrl(config.redisUrl),
        prefix: config.redisPrefix,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      }),
    }),
    ...queues,
  ],
  providers: [RedisService, QueueProducer, StoredBatchBus],
  exports: [BullModule, RedisService, QueueProducer, StoredBatchBus],
})
export class QueueModule {}
