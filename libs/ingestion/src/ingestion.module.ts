import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StorageModule } from '@app/storage';
import { BackpressureService } from './backpressure.service';
import { IngestController } from './ingest.controller';
import { IngestService } from './ingest.service';
import { RawBatchStoreService } from './raw-batch-store.service';
import { FileSourceManager } from './sources/file-source-manager.service';
import { SourceEntity } from './sources/source.entity';
import { SourcesController } from './sources/sources.controller';
import { SourcesService } from './sources/sources.service';
import { StoreRawBatchProcessor } from './store-raw-batch.processor';
import { SyslogServer } from './syslog/syslog-server.service';

/** The entrance for lines, queue pressure and the configured sources (api process). */
@Module({
  imports: [TypeOrmModule.forFeature([SourceEntity])],
  providers: [IngestService, BackpressureService, SourcesService],
  exports: [IngestService, BackpressureService, SourcesService],
})
export class IngestionModule {}

/** The sources that listen in the api process: HTTP ingest, syslog, sources management. */
@Module({
  imports: [IngestionModule],
  controllers: [IngestController, SourcesController],
  providers: [SyslogServer, FileSourceManager],
})
export class IngestionApiModule {}

/** Consumes `ingest-raw`: parse and store. */
@Module({
  imports: [StorageModule],
  providers: [RawBatchStoreService, StoreRawBatchProcessor],
  exports: [RawBatchStoreService],
})
export class IngestionWorkerModule {}
