import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IngestionModule } from '../ingestion.module';
import { UploadController } from './upload.controller';
import { UploadEntity } from './upload.entity';
import { UploadProcessor } from './upload-processor';
import { UploadService } from './upload.service';

/**
 * Log file uploads, processed in the api process. Needs `registerUploadMultipart(fastify, config)`
 * on the api's Fastify instance.
 */
@Module({
  imports: [IngestionModule, TypeOrmModule.forFeature([UploadEntity])],
  controllers: [UploadController],
  providers: [UploadService, UploadProcessor],
  exports: [UploadService],
})
export class UploadApiModule {}
