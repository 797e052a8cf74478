import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '@app/auth';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import { ChannelsController } from './api/channels.controller';
import { ChannelsService } from './api/channels.service';
import { DeliveriesController, DeliveriesService } from './api/deliveries';
import { RecipientsController, RecipientsService } from './api/recipients';
import { TemplatesController, TemplatesService } from './api/templates';
import { channelTypeProviders } from './channels/channel-types';
import { WebhookTargetPolicy } from './channels/webhook-target-policy';
import { DeliveryMetrics, DeliveryMetricsExporter } from './delivery/delivery-metrics';
import { DeliveryQueue } from './delivery/delivery-queue';
import { DeliverySender } from './delivery/delivery-sender';
import { DeliveryWorker } from './delivery/delivery-worker';
import { FloodControl } from './delivery/flood-control';
import { MessageComposer } from './delivery/message-composer';
import { NotificationRouter } from './delivery/notification-router';
import { NotificationsProcessor } from './delivery/notifications.processor';
import { DeliveryRetryPolicy } from './delivery/retry-policy';
import { ChannelStore, RecipientStore } from './store/channel-store';
import { DeliveryLog } from './store/delivery-log';
import { ChannelEntity, RecipientEntity, TemplateEntity } from './store/entities';
import { TemplateStore } from './store/template-store';

const shared = [
  ...channelTypeProviders,
  {
    provide: WebhookTargetPolicy,
    inject: [LOOKOUT_CONFIG],
    useFactory: (config: LookoutConfig) =>
      new WebhookTargetPolicy(config.webhookAllow, config.webhookDeny),
  },
  ChannelStore,
  RecipientStore,
  TemplateStore,
  DeliveryLog,
  DeliveryMetrics,
  DeliverySender,
  DeliveryQueue,
  MessageComposer,
];

/** What the api and the worker share: channel types, stores, rendering, one attempt, the queue. */
@Module({
  imports: [TypeOrmModule.forFeature([ChannelEntity, RecipientEntity, TemplateEntity])],
  providers: shared,
  exports: [TypeOrmModule, ...shared],
})
class NotificationsCoreModule {}

/** Notifications in the api: channels, recipients, templates and the delivery log over REST. */
@Module({
  imports: [NotificationsCoreModule, AuthModule],
  controllers: [
    ChannelsController,
    RecipientsController,
    TemplatesController,
    DeliveriesController,
  ],
  providers: [
    ChannelsService,
    RecipientsService,
    TemplatesService,
    DeliveriesService,
    DeliveryMetricsExporter,
  ],
})
export class NotificationsApiModule {}

/** Notifications in the worker: routes alert transitions to channels and delivers, with retries. */
@Module({
  imports: [NotificationsCoreModule],
  providers: [
    NotificationsProcessor,
    NotificationRouter,
    DeliveryWorker,
    DeliveryRetryPolicy,
    FloodControl,
  ],
})
export class NotificationsWorkerModule {}
