import { Module } from '@nestjs/common';

/** Notifications in the api: channels, templates, recipients, deliveries (REST) and the delivery worker (REST side). */
@Module({})
export class NotificationsApiModule {}

/** Notifications in the worker: queue consumers and scheduled jobs. */
@Module({})
export class NotificationsWorkerModule {}
