import { Module } from '@nestjs/common';

/** Alerting in the api: alert rules, evaluation on stored batches, lifecycle, backtest (REST side). */
@Module({})
export class AlertingApiModule {}

/** Alerting in the worker: queue consumers and scheduled jobs. */
@Module({})
export class AlertingWorkerModule {}
