import { AuthModule } from '@app/auth';
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
import { GrokPatternEntity, PipelineEntity } from './pipelines/pipeline.entity';
import { PipelineRegistry } from './pipelines/pipeline-registry.service';
import { PipelinesController } from './pipelines/pipelines.controller';
import { PipelinesService } from './pipelines/pipelines.service';
import { SyslogServer } from './syslog/syslog-server.service';

/** The entrance for lines, queue pressure and the configured sources (api process). */
@Module({
  imports: [TypeOrmModule.forFeature([SourceEntity])],
  providers: [IngestService, BackpressureService, SourcesService],
  exports: [IngestService, BackpressureService, SourcesService],
})
export class IngestionModule {}

const pipelineEntities = TypeOrmModule.forFeature([PipelineEntity, GrokPatternEntity]);

/** The sources that listen in the api process (HTTP ingest, syslog, file tail), and their management. */
@Module({
  imports: [IngestionModule, pipelineEntities, AuthModule],
  controllers: [IngestController, SourcesController, PipelinesController],
  providers: [SyslogServer, FileSourceManager, PipelinesService],
})
export class IngestionApiModule {}

/** Consumes `ingest-raw`: parse (with each source's pipeline) and store. */
@Module({
  imports: [StorageModule, pipelineEntities],
  providers: [RawBatchStoreService, StoreRawBatchProcessor, PipelineRegistry],
  exports: [RawBatchStoreService],
})
export class IngestionWorkerModule {}
