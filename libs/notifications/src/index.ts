export { NotificationsApiModule, NotificationsWorkerModule } from './notifications.module';
export { DeliveryRetryPolicy } from './delivery/retry-policy';
export { DeliveryQueue } from './delivery/delivery-queue';
export { webhookSignature } from './channels/webhook.channel';
export { sampleAlert } from './templates/template-context';
