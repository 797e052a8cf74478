import { Module } from '@nestjs/common';

/** Retention in the api: retention policies by age, disk budget and source, archive, retention log (REST side). */
@Module({})
export class RetentionApiModule {}

/** Retention in the worker: queue consumers and scheduled jobs. */
@Module({})
export class RetentionWorkerModule {}
