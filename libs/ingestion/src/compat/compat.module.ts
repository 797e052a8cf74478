import { Module } from '@nestjs/common';
import { IngestionModule } from '../ingestion.module';
import { EsCompatController } from './es-compat.controller';
import { LokiPushController } from './loki-push.controller';

/**
 * Shipper compatibility: the Elasticsearch `_bulk` API and the Loki push API, over the same
 * entrance as /api/v1/ingest. Needs `registerCompatHttp(fastify)` on the api's Fastify instance.
 */
@Module({
  imports: [IngestionModule],
  controllers: [EsCompatController, LokiPushController],
})
export class CompatApiModule {}
