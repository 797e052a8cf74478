export { NotificationsApiModule, NotificationsWorkerModule } from './notifications.module';
