export { RetentionApiModule, RetentionWorkerModule } from './retention.module';
