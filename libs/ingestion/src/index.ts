export { IngestionApiModule, IngestionModule, IngestionWorkerModule } from './ingestion.module';
export { IngestService, type LineOrigin } from './ingest.service';
export { RawBatchStoreService, type StoreOutcome } from './raw-batch-store.service';
export { registerBodyParsers } from './http-body-parsers';
export { LineBatcher, type LineBatcherOptions } from './line-batcher';
export { decodeJson, decodeNdjson, decodePlainText } from './ingest-body';
