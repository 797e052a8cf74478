import { Module } from '@nestjs/common';
import { StorageModule } from '@app/storage';
import { IngestController } from './ingest.controller';
import { IngestService } from './ingest.service';
import { RawBatchStoreService } from './raw-batch-store.service';
import { StoreRawBatchProcessor } from './store-raw-batch.processor';

/** The entrance for lines (used by every source in the api process). */
@Module({
  providers: [IngestService],
  exports: [IngestService],
})
export class IngestionModule {}

/** HTTP ingest endpoint. */
@Module({
  imports: [IngestionModule],
  controllers: [IngestController],
})
export class IngestionApiModule {}

/** Consumes `ingest-raw`: parse and store. */
@Module({
  imports: [StorageModule],
  providers: [RawBatchStoreService, StoreRawBatchProcessor],
  exports: [RawBatchStoreService],
})
export class IngestionWorkerModule {}
